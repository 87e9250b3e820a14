package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func TestExit(t *testing.T) {
	// exits checks that Exit of err returns code and prints printed.
	exits := func(err error, code int, printed string) {
		t.Helper()
		var stderr strings.Builder
		if got := Exit("cmd", err, &stderr); got != code || stderr.String() != printed {
			t.Errorf("Exit(%v) = %d, printed %q; want %d, %q", err, got, stderr.String(), code, printed)
		}
	}
	exits(nil, 0, "")
	exits(fmt.Errorf("parse: %w", flag.ErrHelp), 0, "") // the flag package printed the usage
	exits(errors.New("no S3 server"), 1, "cmd: no S3 server\n")
	exits(UsageError{errors.New("-rate: want a number")}, 2, "cmd: -rate: want a number\n")
	exits(fmt.Errorf("flags: %w", UsageError{errors.New("x")}), 2, "cmd: flags: x\n")
	exits(ExitCode(3), 3, "") // the command said what there was to say
	exits(ExitCode(0), 0, "")
}
