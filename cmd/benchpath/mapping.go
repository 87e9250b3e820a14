package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/wait"
)

// gauge counts invocations in flight and remembers the most at once.
type gauge struct {
	now, peak atomic.Int64
}

func (g *gauge) add(d int64) {
	n := g.now.Add(d)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// counted is an instance whose invocations the gauge counts.
type counted struct {
	fn    localenv.Invoker
	gauge *gauge
}

func (c counted) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	c.gauge.add(1)
	defer c.gauge.add(-1)
	return c.fn.Invoke(ctx, payload)
}

// mapping is the queue's event-source mapping with the template's
// settings: one poller per copy instance (the maximum concurrency), each
// collecting a batch within the batching window and invoking its own
// instance, as Lambda dispatches batches to free execution environments.
type mapping struct {
	gauge       gauge
	errs        atomic.Int64 // polls that failed (receive or delete)
	failedCalls atomic.Int64 // invocations that failed as a whole
	lastErr     atomic.Value // string: the last poll or invocation error, for the report
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// startMapping starts the pollers; stop ends them.
func (r *rig) startMapping(ctx context.Context, s setting) (*mapping, error) {
	// One attempt per call: the SDK's retry of a receive whose answer was
	// lost would hide that its messages were taken (in flight for the
	// visibility timeout); failing the poll counts it.
	client, err := r.sqs.Client(ctx, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &mapping{cancel: cancel}
	for _, inst := range r.copies {
		esm := &localenv.EventSourceMapping{
			Queue: client, QueueURL: r.queue, Function: counted{inst.lambda, &m.gauge},
			BatchSize: int32(s.BatchSize), VisibilityTimeout: int32(s.VisibilityTimeout), //nolint:gosec // G115: flags checked to 1-10 and to fit
			WaitTimeSeconds: 20, BatchingWindow: s.Window,
		}
		m.wg.Go(func() {
			for ctx.Err() == nil {
				res, err := esm.Poll(ctx)
				if ctx.Err() != nil {
					return
				}
				if res.InvokeErr != nil {
					m.failedCalls.Add(1)
					m.lastErr.Store(res.InvokeErr.Error())
				}
				if err != nil {
					m.errs.Add(1)
					m.lastErr.Store(err.Error())
					_ = wait.For(ctx, time.Second) // a cancelled ctx ends the loop
				}
			}
		})
	}
	return m, nil
}

// stop ends the pollers and waits for them. The bench calls it once the
// queue is empty, so that no poller is inside an invocation.
func (m *mapping) stop() {
	m.cancel()
	m.wg.Wait()
}
