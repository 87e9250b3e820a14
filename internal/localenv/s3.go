package localenv

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Credentials and region of the local S3 server. They protect nothing but
// a loopback test server.
const (
	S3AccessKey = "localaccesskey"
	S3SecretKey = "localsecretkey"
	S3Region    = "us-east-1"
)

// S3Server is a running versitygw serving dataDir on loopback.
type S3Server struct {
	Endpoint string // e.g. http://127.0.0.1:PORT
	proc     *process
	caFile   string // over HTTPS: the certificate its clients trust
}

// StartS3 starts the S3 server over plain HTTP; its buckets are the
// folders of dataDir. Its log goes to out (nil discards it).
func StartS3(ctx context.Context, dataDir string, out io.Writer) (*S3Server, error) {
	return startS3(ctx, dataDir, out)
}

// StartS3TLS is StartS3 serving HTTPS with the given certificate and key
// files (PEM), as S3 itself does: clients trust the certificate through
// AWS_CA_BUNDLE. accessLog, when not "", is a file the server appends one line per
// request to (S3 server access log format).
func StartS3TLS(ctx context.Context, dataDir, certFile, keyFile, accessLog string, out io.Writer) (*S3Server, error) {
	flags := []string{"--cert", certFile, "--key", keyFile}
	if accessLog != "" {
		flags = append(flags, "--access-log", accessLog)
	}
	s, err := startS3(ctx, dataDir, out, flags...)
	if err != nil {
		return nil, err
	}
	s.caFile = certFile
	return s, nil
}

// startS3 runs versitygw on a free loopback port with extra flags.
func startS3(ctx context.Context, dataDir string, out io.Writer, flags ...string) (*S3Server, error) {
	bin, err := Tool("versitygw")
	if err != nil {
		return nil, err
	}
	proc, addrs, err := startOnFreeAddrs(ctx, "S3 server", out, 1, func(addrs []string) *exec.Cmd {
		args := append([]string{"--access", S3AccessKey, "--secret", S3SecretKey, "--region", S3Region, "--port", addrs[0]}, flags...)
		// Keep-alive, as S3 itself: without it versitygw closes the connection
		// after every request, and every part costs a new TCP and TLS handshake.
		return exec.Command(bin, append(args, "--quiet", "--keep-alive", "posix", dataDir)...)
	})
	if err != nil {
		return nil, err
	}
	addr := addrs[0]
	scheme := "http://"
	if len(flags) > 0 {
		scheme = "https://"
	}
	return &S3Server{Endpoint: scheme + addr, proc: proc}, nil
}

// Close stops the server.
func (s *S3Server) Close() error { return s.proc.stop() }

// Pid is the server's process ID, for measuring what it costs.
func (s *S3Server) Pid() int { return s.proc.cmd.Process.Pid }

// Env returns the AWS SDK environment that points a process at this server.
// Over HTTPS it sets AWS_CA_BUNDLE to the server's certificate, which then
// is the only one the process's AWS clients trust.
func (s *S3Server) Env() []string {
	env := []string{
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + S3AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + S3SecretKey,
		"AWS_REGION=" + S3Region,
	}
	if s.caFile != "" {
		env = append(env, "AWS_CA_BUNDLE="+s.caFile)
	}
	return env
}

// Client returns an S3 client for this server (path-style addressing),
// trusting its certificate when it serves HTTPS.
func (s *S3Server) Client(ctx context.Context) (*s3.Client, error) {
	return s.client(ctx, s.Endpoint, s.caFile)
}

// ClientVia returns an S3 client for this server reached at endpoint, a
// proxy in front of it, trusting only cert.
func (s *S3Server) ClientVia(ctx context.Context, endpoint string, cert *CertFiles) (*s3.Client, error) {
	return s.client(ctx, endpoint, cert.CertFile)
}

// client returns an S3 client for endpoint, trusting only the certificate
// in caFile if it is not "" (an explicit bundle wins over AWS_CA_BUNDLE).
func (s *S3Server) client(ctx context.Context, endpoint, caFile string) (*s3.Client, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(S3Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(S3AccessKey, S3SecretKey, "")),
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, awsconfig.WithCustomCABundle(bytes.NewReader(pem)))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	}), nil
}

// CreateBucket creates bucket.
func (s *S3Server) CreateBucket(ctx context.Context, bucket string) error {
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
	return err
}
