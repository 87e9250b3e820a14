package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// Credentials of the simulated PBX's API app.
const (
	pbxClientID     = "bench-client-id"
	pbxClientSecret = "bench-client-secret-7d2e"
	bucket          = "bench"
)

// bench is the running stack: S3 server and PBX simulator, plus what the
// copying processes need to reach them.
type bench struct {
	work  string // temporary folder: certificate, S3 data, logs
	cert  *localenv.CertFiles
	s3    *localenv.S3Server
	s3log *accessLog // the S3 server's access log: the S3 requests
	data  string     // the S3 server's data folder
	sim   *yeastartest.Simulator
	admin *s3.Client // straight to the S3 server: its requests are not counted
	log   *os.File   // S3 server's and children's stderr
	exe   string     // this binary, re-executed for each measured copy
	aws   string     // the AWS CLI, "" when not installed
	seq   int        // runs so far; makes every recording and key unique
}

// startBench starts the stack in a new temporary folder; the S3 server
// keeps its data in memory when there is room for objects of maxSize.
func startBench(ctx context.Context, exe, awsCLI string, maxSize int64) (b *bench, err error) {
	b = &bench{exe: exe, aws: awsCLI}
	defer func() {
		if err != nil {
			b.close(false)
		}
	}()
	if b.work, err = os.MkdirTemp("", "recording-sync-bench-"); err != nil {
		return nil, err
	}
	if b.cert, err = localenv.NewCert(b.work); err != nil {
		return nil, err
	}
	if b.log, err = os.Create(filepath.Join(b.work, "bench.log")); err != nil {
		return nil, err
	}
	// The AWS CLI addresses buckets by host name unless told otherwise.
	awsConfig := "[default]\ns3 =\n    addressing_style = path\n"
	if err := os.WriteFile(filepath.Join(b.work, "aws-config"), []byte(awsConfig), 0o600); err != nil {
		return nil, err
	}
	if b.data, err = os.MkdirTemp(s3DataParent(maxSize), "recording-sync-bench-s3-"); err != nil {
		return nil, err
	}
	b.s3log = &accessLog{path: filepath.Join(b.work, "s3-access.log")}
	if b.s3, err = startS3(ctx, b.data, b.s3log.path, b.cert, b.log); err != nil {
		return nil, err
	}
	// Every run gets its own token, as a fresh process would; the PBX's
	// limit of 8 valid tokens would otherwise stop the bench, not the copy.
	b.sim = yeastartest.NewServer(yeastartest.Options{ClientID: pbxClientID, ClientSecret: pbxClientSecret, MaxTokens: 1 << 20})
	if b.admin, err = b.adminClient(ctx); err != nil {
		return nil, err
	}
	if _, err := b.admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return nil, fmt.Errorf("create bucket: %w", err)
	}
	return b, nil
}

// adminClient talks to the S3 server directly, trusting its certificate
// explicitly.
func (b *bench) adminClient(ctx context.Context) (*s3.Client, error) {
	c, err := b.s3.Client(ctx)
	if err != nil {
		return nil, err
	}
	return s3.New(c.Options(), func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }), nil
}

// close stops the stack and, unless keep, removes its folder.
func (b *bench) close(keep bool) {
	if b.sim != nil {
		b.sim.Close()
	}
	if b.s3 != nil {
		_ = b.s3.Close() // the measurements are taken; a failed stop changes none of them
	}
	if b.data != "" && !keep {
		_ = os.RemoveAll(b.data)
	}
	if b.log != nil {
		_ = b.log.Close()
	}
	if b.work != "" && !keep {
		_ = os.RemoveAll(b.work)
	}
}

// childEnv is the environment of a copying process: this one's, without
// anything that would change the function's or the SDK's defaults, plus
// the stack's addresses and credentials. memoryMB, when positive, is the
// function's memory setting.
func (b *bench) childEnv(memoryMB int) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !inheritable(kv) {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, b.s3.Env()...) // endpoint, credentials, region, AWS_CA_BUNDLE
	env = append(env,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(b.work, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(b.work, "no-credentials"),
		"PBX_BASE_URL="+b.sim.URL(),
		"PBX_ALLOW_HTTP=true", // the simulator serves plain HTTP on loopback
		"PBX_CLIENT_ID="+pbxClientID,
		"PBX_CLIENT_SECRET="+pbxClientSecret,
		"RECORDINGS_BUCKET="+bucket,
	)
	if memoryMB > 0 {
		env = append(env, fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", memoryMB))
	}
	return env
}

// inheritable reports whether a variable of the bench's own environment may
// reach a copying process: the AWS SDK's and the function's settings, and
// the Go runtime's memory knobs, may not.
func inheritable(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	for _, p := range []string{"AWS_", "PBX_", "RECORDINGS_", "UPLOAD_", "GOMEMLIMIT", "GOGC", "GOMAXPROCS",
		"BATCH_CONCURRENCY", "DOWNLOAD_STALL_TIMEOUT", "TOKEN_CACHE_KEY"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// emptyBucket deletes every object and aborts every multipart upload, so
// that each run starts from the same state.
func (b *bench) emptyBucket(ctx context.Context) error {
	var errs []error
	objs, err := b.admin.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	for _, o := range objs.Contents {
		_, err := b.admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		errs = append(errs, err)
	}
	ups, err := b.admin.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, u := range ups.Uploads {
		_, err := b.admin.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// verify checks that key holds size bytes and, for small sizes, exactly the
// recording's bytes.
func (b *bench) verify(ctx context.Context, key, file string, size int64) error {
	head, err := b.admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("head %s: %w", key, err)
	}
	if got := aws.ToInt64(head.ContentLength); got != size {
		return fmt.Errorf("%s holds %d bytes, want %d", key, got, size)
	}
	if size > 64<<20 {
		return nil // the size and S3's part checksums will do: reading GiBs back costs minutes
	}
	obj, err := b.admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	defer obj.Body.Close()
	got, err := io.ReadAll(obj.Body)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	want, err := io.ReadAll(yeastartest.Content(file, size))
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s does not hold the recording's bytes", key)
	}
	return nil
}

// s3DataParent is where the S3 server keeps its data: /dev/shm, a memory
// file system, when it has room for three copies of the largest object
// (versitygw keeps the parts and then assembles the object from them);
// else the temporary folder. On a disk, the server's writes and the
// kernel's write-back take CPU time from the copy being measured, and more
// of it in one run than the next.
func s3DataParent(maxSize int64) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(shmDir, &st); err == nil && int64(st.Bavail)*st.Bsize > 3*maxSize+(1<<30) { //nolint:gosec // block counts fit int64
		return shmDir
	}
	return os.TempDir()
}

// shmDir is the memory file system s3DataParent prefers.
const shmDir = "/dev/shm"

// s3DataPlace says, for the report, where the S3 server keeps its data.
func (b *bench) s3DataPlace() string {
	if strings.HasPrefix(b.data, shmDir+"/") {
		return "memory (" + shmDir + ")"
	}
	return "a temporary folder on disk (too little room in " + shmDir + ")"
}
