package main

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/sqstest"
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
