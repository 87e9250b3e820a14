package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/wait"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// fileName is the recording call i of a run leaves, named as the PBX names
// them; stamp keeps the names of runs apart.
func fileName(stamp int64, i int, c call) string {
	ext := "wav"
	if c.MP3 {
		ext = "mp3"
	}
	return fmt.Sprintf("%s-%d.%d-2001-2002-Internal.%s", time.Unix(stamp, 0).UTC().Format("20060102150405"), stamp, i, ext)
}

// postResult is what posting the calls' ends did.
type postResult struct {
	failed    atomic.Int64 // posts not answered 200
	lastError atomic.Value // string: the last failure, for the report
}

// endCalls plays the calls: at each call's end the PBX holds its recording
// (with the call's fault armed) and posts a signed 30012 to a free webhook
// instance. It returns once every post has been answered.
func (r *rig) endCalls(ctx context.Context, calls []call, files []string) *postResult {
	res := &postResult{}
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range calls {
		if wait.For(ctx, time.Until(start.Add(c.At))) != nil {
			break
		}
		r.sim.AddRecording(yeastartest.Recording{ID: i + 1, File: files[i], Size: c.Size})
		switch c.Fault {
		case faultReset:
			r.sim.DropDownloadAfter(files[i], c.Size/2, 1)
		case faultBusy:
			r.sim.FailAPI("recording/download", yeastartest.ErrCodeOverloadTask, 1)
		}
		wg.Go(func() {
			if err := r.post(ctx, files[i]); err != nil {
				res.failed.Add(1)
				res.lastError.Store(err.Error())
			}
		})
	}
	wg.Wait()
	return res
}

// post sends the 30012 of the call that left file to a free webhook
// instance, as the webhook's Function URL would.
func (r *rig) post(ctx context.Context, file string) error {
	cdr := yeastartest.CDRFor(file)
	cdr.TimeStart = time.Now().UTC().Add(-time.Duration(cdr.CallDuration) * time.Second).Format(trigger.TimeStartLayout)
	body, err := yeastartest.NewCDREvent(pbxSerial, cdr)
	if err != nil {
		return err
	}
	payload, err := yeastartest.WebhookInvocation(body, webhookSecret)
	if err != nil {
		return err
	}
	l := <-r.hooks
	answer, err := l.Invoke(ctx, payload)
	r.hooks <- l
	if err != nil {
		return fmt.Errorf("post %s: %w", file, err)
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(answer, &resp); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("post %s: answered %s", file, answer)
	}
	return nil
}
