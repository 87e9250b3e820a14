// Command local runs the function on this machine without Docker or AWS:
// it builds the real bootstrap, starts a local S3 server, the PBX simulator
// with the sample recordings the events in events/ name, and the Lambda
// Runtime Interface Emulator, then invokes the function.
//
//	local demo                 invoke every events/*.json, then list the bucket
//	local invoke EVENT.json    invoke one event and print the function's response
//	local reconcile FROM TO    reconcile [FROM, TO] (RFC 3339) against the local stack
//	local reconcile -remote FROM TO
//	                           the same against your PBX, bucket and queue (your environment)
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: local demo | local invoke EVENT.json")
	}
	switch args[0] {
	case "demo":
		return demo(ctx, os.Stdout)
	case "invoke":
		if len(args) != 2 {
			return fmt.Errorf("usage: local invoke EVENT.json")
		}
		return invoke(ctx, os.Stdout, args[1])
	case "reconcile":
		return reconcileCmd(ctx, os.Stdout, args[1:])
	default:
		return fmt.Errorf("unknown command %q: want demo, invoke or reconcile", args[0])
	}
}
