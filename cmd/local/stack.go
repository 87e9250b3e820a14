package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// Demo credentials for the simulator; they open nothing real.
const (
	demoClientID     = "demo-client-id"
	demoClientSecret = "demo-client-secret"
	demoBucket       = "recordings"
)

// stack is the running local environment.
type stack struct {
	dir    string
	s3     *localenv.S3Server
	sim    *yeastartest.Simulator
	lambda *localenv.Lambda
	env    []string // the copy function's environment
	// s3Env is the S3 part of env (endpoint, bucket), and bootstrap the
	// copy function's binary: what a second copy function starts with.
	s3Env     []string
	bootstrap string
	// metrics adds up the metrics of every function's log lines (each
	// logFilter of the stack feeds it).
	metrics *metricsLog
}

// S3Target is an S3 endpoint the user names instead of the local server:
// the bucket must exist, and the credentials, region and AWS_CA_BUNDLE
// come from the user's environment, which the function inherits.
type S3Target struct {
	Endpoint, Bucket string
}

// env is the function's S3 environment for the target.
func (t S3Target) env() []string {
	return []string{"AWS_ENDPOINT_URL_S3=" + t.Endpoint, "RECORDINGS_BUCKET=" + t.Bucket}
}

// startStack builds and starts everything; logs receives the function's
// structured log lines. With a zero target, it starts the local S3 server
// and creates the demo bucket in it.
func startStack(ctx context.Context, logs io.Writer, target S3Target) (_ *stack, err error) {
	if err := localenv.CheckTools(); err != nil {
		return nil, err // before the build: a missing tool fails at once
	}
	st := &stack{metrics: newMetricsLog()}
	defer func() {
		if err != nil {
			st.close()
		}
	}()
	if st.dir, err = os.MkdirTemp("", "recording-sync-local-"); err != nil {
		return nil, err
	}
	if st.bootstrap, err = localenv.BuildBootstrap(ctx, st.dir); err != nil {
		return nil, err
	}
	var env []string
	if target.Endpoint != "" {
		env = target.env()
	} else if env, err = st.startLocalS3(ctx); err != nil {
		return nil, err
	}
	st.s3Env = append([]string(nil), env...)
	st.sim = yeastartest.NewServer(yeastartest.Options{ClientID: demoClientID, ClientSecret: demoClientSecret})
	for _, r := range localenv.SampleRecordings {
		st.sim.AddRecording(r)
	}
	env = append(env,
		"PBX_BASE_URL="+st.sim.URL(),
		"PBX_ALLOW_HTTP=true", // the simulator serves plain HTTP on loopback
		"PBX_CLIENT_ID="+demoClientID,
		"PBX_CLIENT_SECRET="+demoClientSecret,
	)
	st.env = env
	st.lambda, err = localenv.StartLambda(ctx, st.bootstrap, localenv.LambdaOptions{Env: env, Output: st.logs(logs)})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// startLocalS3 starts the local S3 server with the demo bucket and returns
// the function's S3 environment for it.
func (st *stack) startLocalS3(ctx context.Context) ([]string, error) {
	data := filepath.Join(st.dir, "s3")
	if err := os.Mkdir(data, 0o750); err != nil {
		return nil, err
	}
	var err error
	if st.s3, err = localenv.StartS3(ctx, data, nil); err != nil {
		return nil, err
	}
	if err := st.s3.CreateBucket(ctx, demoBucket); err != nil {
		return nil, fmt.Errorf("create bucket: %w", err)
	}
	return append(st.s3.Env(), "RECORDINGS_BUCKET="+demoBucket), nil
}

// close stops everything and removes the temporary folder.
func (st *stack) close() {
	if st.lambda != nil {
		_ = st.lambda.Close()
	}
	if st.sim != nil {
		st.sim.Close()
	}
	if st.s3 != nil {
		_ = st.s3.Close()
	}
	if st.dir != "" {
		_ = os.RemoveAll(st.dir)
	}
}

// logs is the output of one of the stack's functions: its log lines
// printed to w, its metrics added to the stack's.
func (st *stack) logs(w io.Writer) *logFilter { return &logFilter{w: w, metrics: st.metrics} }

// logFilter passes on only the function's JSON log lines, not the
// emulator's own chatter, and gives them to metrics (when not nil).
type logFilter struct {
	mu      sync.Mutex
	w       io.Writer
	metrics *metricsLog
	part    []byte
}

func (f *logFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.part = append(f.part, p...)
	consumed := 0
	for {
		i := bytes.IndexByte(f.part[consumed:], '\n')
		if i < 0 {
			break
		}
		line := f.part[consumed : consumed+i]
		consumed += i + 1
		if bytes.HasPrefix(line, []byte(`{"timestamp"`)) {
			f.metrics.add(line)
			// A lost log line must not stop the copy of the function's output.
			_, _ = fmt.Fprintf(f.w, "  function log: %s\n", line)
		}
	}
	f.part = append(f.part[:0], f.part[consumed:]...)
	return len(p), nil
}
