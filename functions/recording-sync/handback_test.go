package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// firstWrite closes ch at the first byte written, once.
type firstWrite struct {
	http.ResponseWriter
	once *sync.Once
	ch   chan struct{}
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(func() { close(f.ch) })
	return f.ResponseWriter.Write(p)
}

// Unwrap lets the simulator's http.ResponseController reach the connection.
func (f *firstWrite) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// TestBusyRecordHandedBack runs the real bootstrap behind the event-source
// mapping on a queue while another instance downloads a long .wav: a batch
// of a short .wav and an .mp3, whose link the PBX refuses (70082) while a
// download streams. Once the short .wav is stored, the .mp3 only waits: it
// is tried once more, refused again, handed back to the queue for 10 s,
// and the invocation ends. Received again 10 s later, it is stored.
func TestBusyRecordHandedBack(t *testing.T) {
	const wav, mp3, long = 1, 2, 3
	clk := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	q := sqstest.New(sqstest.Options{Now: clk.Now})
	t.Cleanup(q.Close)
	url := q.CreateQueue("recording-sync-RecordingQueue")
	recs := map[int]yeastartest.Recording{
		wav:  {ID: wav, File: recordingFile(wav, "wav"), Size: 3 * mib},
		mp3:  {ID: mp3, File: recordingFile(mp3, "mp3"), Size: mib},
		long: {ID: long, File: recordingFile(long, "wav"), Size: 6 * mib},
	}
	// The .mp3's link requests wait until the long .wav's body streams, so
	// that the PBX is busy when they arrive.
	streaming, once := make(chan struct{}), &sync.Once{}
	hold := func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, recs[long].File) {
				w = &firstWrite{ResponseWriter: w, once: once, ch: streaming}
			}
			if strings.HasSuffix(r.URL.Path, "/recording/download") && r.URL.Query().Get("id") == "2" {
				select {
				case <-streaming:
				case <-r.Context().Done():
					return
				}
			}
			sim.ServeHTTP(w, r)
		})
	}
	st := newStack(t, stackOptions{
		sim:        yeastartest.Options{MP3SingleDownload: true},
		pbxHandler: hold,
		extraEnv:   []string{"AWS_ENDPOINT_URL_SQS=" + q.URL(), "RECORDINGS_QUEUE_URL=" + url},
	})
	for _, r := range recs {
		st.sim.AddRecording(r)
	}
	st.sim.ThrottleDownload(recs[wav].File, 2*mib)  // 1.5 s
	st.sim.ThrottleDownload(recs[long].File, 1*mib) // 6 s: busy past the batch
	other := st.sibling(t)
	var longCopy invocation
	var wg sync.WaitGroup
	wg.Go(func() { longCopy = other.invoke(t, `{"id":3}`) })
	select {
	case <-streaming:
	case <-t.Context().Done():
		t.Fatal("the long download never started")
	}
	client, err := q.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"id":1}`, `{"id":2}`} {
		if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(body)}); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	esm := &localenv.EventSourceMapping{Queue: client, QueueURL: url, Function: st.lambda, VisibilityTimeout: 1800}

	first, err := esm.Poll(t.Context())
	if err != nil || first.Received != 2 || first.Deleted != 1 || len(first.Failed) != 1 {
		t.Fatalf("first poll = %+v, %v; want 2 received, the .wav deleted, the .mp3 failed", first, err)
	}
	msgs := q.Messages("recording-sync-RecordingQueue")
	if len(msgs) != 1 || msgs[0].Visible || msgs[0].ReceiveCount != 1 || q.Requests("ChangeMessageVisibility") != 1 {
		t.Fatalf("queue holds %+v after %d visibility changes, want the .mp3's message in flight, handed back once",
			msgs, q.Requests("ChangeMessageVisibility"))
	}
	if out := st.out.String(); !strings.Contains(out, `"message":"recording handed back to the queue: the PBX is busy"`) || !strings.Contains(out, `"RecordingsHandedBack":1`) {
		t.Errorf("the function did not log the hand-back with its metric:\n%s", out)
	}
	wg.Wait()
	mustSucceed(t, longCopy)
	clk.Advance(9 * time.Second)
	if again, err := esm.Poll(t.Context()); err != nil || again.Received != 0 {
		t.Fatalf("poll 9 s later = %+v, %v; want nothing: the visibility timeout is 10 s", again, err)
	}
	clk.Advance(time.Second)
	second, err := esm.Poll(t.Context())
	if err != nil || second.Received != 1 || second.Deleted != 1 {
		t.Fatalf("poll 10 s later = %+v, %v; want the .mp3 received and stored", second, err)
	}
	for _, r := range recs {
		st.assertHolds(t, r)
	}
	if left := q.Messages("recording-sync-RecordingQueue"); len(left) != 0 {
		t.Errorf("queue holds %+v, want it empty", left)
	}
	st.assertNoOpenUploads(t)
}
