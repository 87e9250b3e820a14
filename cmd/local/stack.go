package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/recording-sync/recording-sync/pkg/localenv"
	"github.com/recording-sync/recording-sync/pkg/yeastar/yeastartest"
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
}

// startStack builds and starts everything; logs receives the function's
// structured log lines.
func startStack(ctx context.Context, logs io.Writer) (_ *stack, err error) {
	st := &stack{}
	defer func() {
		if err != nil {
			st.close()
		}
	}()
	if st.dir, err = os.MkdirTemp("", "recording-sync-local-"); err != nil {
		return nil, err
	}
	bootstrap, err := localenv.BuildBootstrap(ctx, st.dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(st.dir, "s3")
	if err := os.Mkdir(data, 0o750); err != nil {
		return nil, err
	}
	if st.s3, err = localenv.StartS3(ctx, data, nil); err != nil {
		return nil, err
	}
	if err := st.s3.CreateBucket(ctx, demoBucket); err != nil {
		return nil, fmt.Errorf("create bucket: %w", err)
	}
	st.sim = yeastartest.NewServer(yeastartest.Options{ClientID: demoClientID, ClientSecret: demoClientSecret})
	for _, r := range localenv.SampleRecordings {
		st.sim.AddRecording(r)
	}
	env := append(st.s3.Env(),
		"PBX_BASE_URL="+st.sim.URL(),
		"PBX_CLIENT_ID="+demoClientID,
		"PBX_CLIENT_SECRET="+demoClientSecret,
		"RECORDINGS_BUCKET="+demoBucket,
	)
	st.env = env
	st.lambda, err = localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: env, Output: &logFilter{w: logs}})
	if err != nil {
		return nil, err
	}
	return st, nil
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

// logFilter passes on only the function's JSON log lines, not the
// emulator's own chatter.
type logFilter struct {
	mu   sync.Mutex
	w    io.Writer
	part []byte
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
			// A lost log line must not stop the copy of the function's output.
			_, _ = fmt.Fprintf(f.w, "  function log: %s\n", line)
		}
	}
	f.part = append(f.part[:0], f.part[consumed:]...)
	return len(p), nil
}
