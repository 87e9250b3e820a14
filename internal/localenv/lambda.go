package localenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"
)

// Lambda is a bootstrap running under the Runtime Interface Emulator, which
// serves the Lambda Invoke API on loopback like `sam local start-lambda`.
type Lambda struct {
	URL     string // the emulator's base URL
	proc    *process
	out     *endWatcher
	limits  *limits      // nil unless LambdaOptions.Limit
	invoked atomic.Int64 // invocations sent
}

// LambdaOptions are the optional settings of StartLambda.
type LambdaOptions struct {
	Env     []string      // extra environment for the function (KEY=VALUE)
	Timeout time.Duration // the function timeout; default 60s
	Memory  int           // MB, as AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128
	Output  io.Writer     // the emulator's and the function's output; nil discards it
	// Limit gives the function Lambda's CPU share and memory limit for
	// Memory (see limits.go); StartLambda fails where it cannot.
	Limit bool
}

// StartLambda runs bootstrap under the emulator on free loopback ports.
func StartLambda(ctx context.Context, bootstrap string, opts LambdaOptions) (*Lambda, error) {
	rie, err := Tool("aws-lambda-rie")
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.Memory <= 0 {
		opts.Memory = 128
	}
	env := append(os.Environ(),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int(opts.Timeout.Seconds())),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(opts.Memory),
		"AWS_LAMBDA_FUNCTION_NAME=recording-sync",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	)
	env = append(env, opts.Env...)
	var lim *limits
	if opts.Limit {
		if lim, err = newLimits(opts.Memory); err != nil {
			return nil, err
		}
	}
	out := newEndWatcher(opts.Output)
	// Two ports: the Invoke API the tests call and the Runtime API the
	// bootstrap polls.
	proc, addrs, err := startOnFreeAddrs(ctx, "emulator", out, 2, func(addrs []string) *exec.Cmd {
		cmd := exec.Command(rie, "--runtime-interface-emulator-address", addrs[0], "--runtime-api-address", addrs[1], bootstrap)
		cmd.Env = env
		if lim != nil {
			return lim.command(cmd)
		}
		return cmd
	})
	if err != nil {
		if lim != nil {
			_ = lim.remove() // its processes have ended
		}
		return nil, err
	}
	return &Lambda{URL: "http://" + addrs[0], proc: proc, out: out, limits: lim}, nil
}

// Invoke sends payload as one synchronous invocation and returns the
// function's response body: its result, or the emulator's
// {"errorType":..., "errorMessage":...} document when it failed. It returns
// once the invocation's output has reached LambdaOptions.Output (waiting
// at most outputGrace for it), so that the caller can read what it logged.
func (l *Lambda) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	n := l.invoked.Add(1)
	defer func() {
		wctx, cancel := context.WithTimeout(ctx, outputGrace)
		defer cancel()
		l.out.waitEnds(wctx, int(n))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		l.URL+"/2015-03-31/functions/function/invocations", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	resp, err := invokeClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("localenv: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("localenv: invoke: read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("localenv: invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// Close stops the emulator and the function, and removes their limits.
func (l *Lambda) Close() error {
	err := l.proc.stop()
	if l.limits == nil {
		return err
	}
	if rerr := l.limits.remove(); err == nil {
		err = rerr // the process's exit says more, when it failed
	}
	return err
}

// Limited reports, under LambdaOptions.Limit, how many times the memory
// limit has ended the function (or the emulator) and how long the CPU
// share has held them back; zeros without it.
func (l *Lambda) Limited() (oomKills int64, throttled time.Duration, err error) {
	if l.limits == nil {
		return 0, 0, nil
	}
	if oomKills, err = l.limits.OOMKills(); err != nil {
		return 0, 0, err
	}
	throttled, err = l.limits.Throttled()
	return oomKills, throttled, err
}

// outputGrace bounds how long Invoke waits for the emulator to print an
// invocation's end after answering it (it does so at once; the bound only
// keeps a crashed emulator from holding the caller).
const outputGrace = 5 * time.Second

// invokeClient has no overall timeout: an invocation may legitimately run
// for the whole function timeout; the caller's ctx bounds it.
var invokeClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
