package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/wait"
)

// faultNames name the faults of the calls in the report.
var faultNames = map[faultKind]string{faultNone: "none", faultReset: "reset", faultBusy: "busy"}

// storedSizes lists the bucket: the size of every recording stored, by
// file name.
func (r *rig) storedSizes(ctx context.Context) (map[string]int64, error) {
	sizes := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(r.s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("recordings/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the bucket: %w", err)
		}
		for _, o := range page.Contents {
			sizes[path.Base(aws.ToString(o.Key))] = aws.ToInt64(o.Size)
		}
	}
	return sizes, nil
}

// describeLost says which recordings were not stored whole (format, fault,
// size) and where their messages were when the run ended: in flight (taken
// by a receive, neither deleted nor back), visible again, or gone from the
// queue. So a lost recording points at its cause: a copy still running or
// failed (its line says so), or a batch that never reached the function.
func describeLost(calls []call, files []string, stored map[string]int64, msgs []sqstest.Message) string {
	formats, faults, where := map[string]int{}, map[string]int{}, map[string]int{}
	var names []string
	for i, c := range calls {
		if size, ok := stored[files[i]]; ok && size == c.Size {
			continue
		}
		formats[path.Ext(files[i])]++
		faults[faultNames[c.Fault]]++
		where[messageState(files[i], msgs)]++
		if len(names) < 3 {
			names = append(names, fmt.Sprintf("%s (%d bytes)", files[i], c.Size))
		}
	}
	return fmt.Sprintf("not stored: by format %s; by fault %s; their messages %s; e.g. %s",
		counts(formats), counts(faults), counts(where), strings.Join(names, ", "))
}

// messageState is where the message naming file was when the run ended.
func messageState(file string, msgs []sqstest.Message) string {
	for _, m := range msgs {
		if !strings.Contains(m.Body, file) {
			continue
		}
		if m.Visible {
			return fmt.Sprintf("visible, received %d×", m.ReceiveCount)
		}
		return fmt.Sprintf("in flight, received %d×", m.ReceiveCount)
	}
	return "deleted"
}

// counts formats a count per key, keys sorted.
func counts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// keepOutput writes each copy instance's output to s.KeepOutput, and
// says where; with dump (a run that lost a recording) each ends with the
// stacks of its function's goroutines: what a copy that never ended was
// waiting on.
func (r *rig) keepOutput(ctx context.Context, s setting, dump bool) string {
	dumped := 0
	for _, c := range r.copies {
		// An instance never invoked has no function process to dump.
		if dump && c.lambda.DumpGoroutines() == nil {
			dumped++
		}
	}
	if dump {
		_ = wait.For(ctx, dumpGrace) // a cancelled run keeps what arrived
	}
	if err := os.MkdirAll(s.KeepOutput, 0o750); err != nil {
		return fmt.Sprintf("output not kept: %v", err)
	}
	slug := strings.NewReplacer("/", "-", " ", "", ",", "_").Replace(s.label())
	for i, c := range r.copies {
		name := filepath.Join(s.KeepOutput, fmt.Sprintf("%s-copy%d.log", slug, i))
		if err := os.WriteFile(name, []byte(c.out.String()), 0o600); err != nil { //nolint:gosec // G703: the directory the user named with -keep-output
			return fmt.Sprintf("output not kept: %v", err)
		}
	}
	return fmt.Sprintf("each copy instance's output is in %s, %d of %d with their function's goroutines at the end", s.KeepOutput, dumped, len(r.copies))
}

// dumpGrace is how long the goroutine dumps get to reach the output.
const dumpGrace = 2 * time.Second
