package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/app/copyapp"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// The methods of copying, by the name a childSpec gives.
const (
	methodFunction = "function"
	methodUploader = "uploader"
	methodCeiling  = "ceiling"
	methodReadAll  = "readall"
	methodTempFile = "tempfile"
	methodCLI      = "cli"
)

var copyFuncs = map[string]copyFunc{
	methodFunction: copyFunction,
	methodUploader: copyUploader,
	methodCeiling:  copyCeiling,
	methodReadAll:  copyReadAll,
	methodTempFile: copyTempFile,
	methodCLI:      copyCLI,
}

// copyFunction runs the function's copy path as main wires it: the
// process settings and copyapp.Build from the environment, then one direct
// invocation of the handler main would start.
func copyFunction(ctx context.Context, spec childSpec) (childReport, error) {
	config.ApplyProcessSettings(os.LookupEnv)
	red := redact.New()
	log := slog.New(red.Handler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	h, err := copyapp.Build(ctx, os.LookupEnv, red, log)
	if err != nil {
		return childReport{}, err
	}
	out, err := h.Invoke(ctx, []byte(`{"id": `+strconv.Itoa(spec.ID)+`}`))
	if err != nil {
		return childReport{}, err
	}
	var res struct {
		Key   string `json:"key"`
		Bytes int64  `json:"bytes"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return childReport{}, fmt.Errorf("result %s: %w", out, err)
	}
	return childReport{Key: res.Key, Bytes: res.Bytes}, nil
}

// copyUploader streams the PBX download into the SDK's default uploader.
func copyUploader(ctx context.Context, spec childSpec) (childReport, error) {
	body, n, err := openDownload(ctx, spec)
	if err != nil {
		return childReport{}, err
	}
	defer body.Close()
	if err := uploadDefault(ctx, spec, body); err != nil {
		return childReport{}, err
	}
	return childReport{Key: spec.Key, Bytes: n}, nil
}

// copyCeiling feeds the default uploader from memory: the same bytes,
// generated in the process, with no source on the network.
func copyCeiling(ctx context.Context, spec childSpec) (childReport, error) {
	src := &timedReader{r: yeastartest.Content(spec.File, spec.Size)}
	if err := uploadDefault(ctx, spec, src); err != nil {
		return childReport{}, err
	}
	return childReport{Key: spec.Key, Bytes: spec.Size, SourceSeconds: src.spent.Seconds()}, nil
}

// copyReadAll reads the whole download into memory, then PutObject.
func copyReadAll(ctx context.Context, spec childSpec) (childReport, error) {
	body, _, err := openDownload(ctx, spec)
	if err != nil {
		return childReport{}, err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return childReport{}, fmt.Errorf("read download: %w", err)
	}
	client, err := newS3Client(ctx)
	if err != nil {
		return childReport{}, err
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &spec.Bucket, Key: &spec.Key, Body: bytes.NewReader(b)}); err != nil {
		return childReport{}, err
	}
	return childReport{Key: spec.Key, Bytes: int64(len(b))}, nil
}

// copyTempFile downloads into a temporary file, then uploads the file with
// the default uploader.
func copyTempFile(ctx context.Context, spec childSpec) (childReport, error) {
	body, _, err := openDownload(ctx, spec)
	if err != nil {
		return childReport{}, err
	}
	defer body.Close()
	f, err := os.CreateTemp("", "bench-*.wav")
	if err != nil {
		return childReport{}, err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	defer func() { _ = f.Close() }() // closed with its error checked below when all went well
	n, err := io.Copy(f, body)
	if err != nil {
		return childReport{}, fmt.Errorf("download to %s: %w", f.Name(), err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return childReport{}, err
	}
	if err := uploadDefault(ctx, spec, f); err != nil {
		return childReport{}, err
	}
	return childReport{Key: spec.Key, Bytes: n}, f.Close()
}

// copyCLI runs `curl URL | aws s3 cp - s3://bucket/key --expected-size N`.
func copyCLI(ctx context.Context, spec childSpec) (childReport, error) {
	link, err := downloadURL(ctx, spec)
	if err != nil {
		return childReport{}, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return childReport{}, err
	}
	curl := exec.CommandContext(ctx, "curl", "--silent", "--show-error", "--fail", "--output", "-", link) //nolint:gosec // our own loopback URL
	curl.Stdout, curl.Stderr = w, os.Stderr
	aws := exec.CommandContext(ctx, spec.AWS, "s3", "cp", "-", "s3://"+spec.Bucket+"/"+spec.Key, //nolint:gosec // the CLI the parent found
		"--endpoint-url", os.Getenv("AWS_ENDPOINT_URL_S3"), "--only-show-errors", // this CLI predates that variable
		// The size, as the function knows it from Content-Length. (aws-cli
		// 1.45 fails one 4 GiB stream in a few against the local S3 server,
		// with or without it: BadRequest on an UploadPart.)
		"--expected-size", strconv.FormatInt(spec.Size, 10))
	aws.Stdin, aws.Stdout, aws.Stderr = r, os.Stderr, os.Stderr
	if err := aws.Start(); err != nil {
		return childReport{}, err
	}
	if err := curl.Start(); err != nil {
		_ = w.Close()
		_ = aws.Wait()
		return childReport{}, err
	}
	_ = w.Close() // curl holds the write end now: aws sees the stream end with it
	peaks := samplePeakRSS(curl.Process.Pid, aws.Process.Pid)
	curlErr := curl.Wait()
	awsErr := aws.Wait()
	_ = r.Close()
	if curlErr != nil || awsErr != nil {
		return childReport{}, fmt.Errorf("curl | aws: %w", errors.Join(curlErr, awsErr))
	}
	return childReport{Key: spec.Key, Bytes: spec.Size, PeakRSS: peaks()}, nil
}

// samplePeakRSS reads the VmHWM of pids every 20 ms until the returned
// function is called, which returns the sum of the last values read: the
// peaks of processes that run side by side. (Their rusage would not do: see
// childReport.PeakRSS.)
func samplePeakRSS(pids ...int) func() int64 {
	stop := make(chan struct{})
	done := make(chan int64)
	go func() {
		last := make([]int64, len(pids))
		for {
			for i, pid := range pids {
				if n, err := peakRSS(strconv.Itoa(pid)); err == nil {
					last[i] = max(last[i], n) // an ended process reads as gone
				}
			}
			select {
			case <-stop:
				var sum int64
				for _, n := range last {
					sum += n
				}
				done <- sum
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		return <-done
	}
}

// newS3Client is an S3 client configured from the environment, with the
// SDK's default HTTP client (AWS_CA_BUNDLE applies to it).
func newS3Client(ctx context.Context) (*s3.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), nil
}

// uploadDefault uploads body with manager.NewUploader(client) as it comes:
// no options.
func uploadDefault(ctx context.Context, spec childSpec, body io.Reader) error {
	client, err := newS3Client(ctx)
	if err != nil {
		return err
	}
	//nolint:staticcheck // SA1019: manager's default Uploader is the baseline measured, as pkg/s3store still uses it
	_, err = manager.NewUploader(client).Upload(ctx, &s3.PutObjectInput{Bucket: &spec.Bucket, Key: &spec.Key, Body: body})
	return err
}

// timedReader measures the CPU time spent in its source's Read: the
// calling goroutine is locked to its thread meanwhile, so that the thread's
// CPU time is the Read's.
type timedReader struct {
	r     io.Reader
	spent time.Duration
}

func (t *timedReader) Read(p []byte) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	n, err := t.r.Read(p)
	t.spent += threadCPU() - start
	return n, err
}

// threadCPU is the calling thread's user+sys CPU time.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, which package syscall does not name
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
