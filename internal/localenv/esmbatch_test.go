package localenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// lateSender is a queue whose first receive is followed by more messages
// arriving, as calls keep ending while a batch fills.
type lateSender struct {
	*sqs.Client
	url    string
	late   []string
	called int
}

func (q *lateSender) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := q.Client.ReceiveMessage(ctx, in, opts...)
	q.called++
	if q.called == 1 {
		for _, b := range q.late {
			if _, serr := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: aws.String(b)}); serr != nil {
				return nil, serr
			}
		}
	}
	return out, err
}

func TestEventSourceMappingBatchingWindow(t *testing.T) {
	tests := []struct {
		name      string
		window    time.Duration
		batchSize int32
		wantRecs  int
		minWait   time.Duration // the poll must have waited at least this
	}{
		// Without a window the batch is what the first receive found.
		{name: "no window", batchSize: 10, wantRecs: 1},
		// A full batch is invoked at once, long before its window ends.
		{name: "batch full", window: time.Minute, batchSize: 3, wantRecs: 3},
		// A batch that does not fill waits the window out.
		{name: "window ends", window: 300 * time.Millisecond, batchSize: 10, wantRecs: 3, minWait: 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, client, url := setup(t, `{"id":1}`)
			q := &lateSender{Client: client, url: url, late: []string{`{"id":2}`, `{"id":3}`}}
			fn := &function{}
			esm := &localenv.EventSourceMapping{Queue: q, QueueURL: url, Function: fn, BatchSize: tt.batchSize, BatchingWindow: tt.window}
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			start := time.Now()
			res, err := esm.Poll(ctx)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(fn.events) != 1 || len(fn.events[0].Records) != tt.wantRecs || res.Deleted != tt.wantRecs {
				t.Fatalf("poll = %+v in %d invocations, want one of %d records", res, len(fn.events), tt.wantRecs)
			}
			if took < tt.minWait || (tt.window == time.Minute && took > 10*time.Second) {
				t.Errorf("poll took %v with a window of %v", took, tt.window)
			}
		})
	}
}
