package main

import (
	"context"
	"os"

	"github.com/recording-sync/recording-sync/internal/cli"
)

func main() {
	cli.Main("benchpath", func(ctx context.Context) error { return runAll(ctx, os.Args[1:], os.Stdout) })
}
