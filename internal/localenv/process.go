package localenv

import (
	"errors"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// process is a started child with a channel closed when it exits.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// start runs cmd in its own process group with stdout and stderr to out.
func start(cmd *exec.Cmd, out io.Writer) (*process, error) {
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL after a grace period.
func (p *process) stop() error {
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return nil // killed on purpose
	}
	return p.err
}

// exited reports whether the process has ended.
func (p *process) exited() <-chan struct{} { return p.done }
