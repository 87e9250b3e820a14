package reconcile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/trigger"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestRefForCarriesTheCallLikeTheCallEndEvent(t *testing.T) {
	it := yeastar.SearchItem{ID: 614, Time: "01/12/2022 17:36:24", UID: "2022011217362446627", CallFrom: "Evelyn<5566>",
		CallTo: "Dave Harris<5556>", Duration: 250, Size: 825588, CallType: "Internal", File: "20220112173629-1641980184.14-5566-5556-Internal.wav"}
	ref := reconcile.RefFor(it)
	if ref.ID != 614 || ref.File != it.File || ref.Call == nil {
		t.Fatalf("ref %+v", ref)
	}
	c := *ref.Call
	if c.TimeStart != "2022-01-12 17:36:24" || c.From != "Evelyn<5566>" || c.To != "Dave Harris<5556>" || c.Type != "Internal" || c.UID != it.UID {
		t.Errorf("call %+v", c)
	}
	if err := ref.Validate(); err != nil {
		t.Errorf("the copy function would refuse it: %v", err)
	}
	// The message decodes, as the copy function reads it, to one recording
	// named by both id and file.
	body, err := trigger.Message(ref)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := trigger.Decode(body)
	if err != nil || inv.Item.Ref == nil || inv.Item.Ref.ID != 614 || inv.Item.Ref.File != it.File {
		t.Fatalf("decoded %+v %v", inv, err)
	}
}

// RefQueue against the real SDK client and the wire-level SQS endpoint:
// one SendMessageBatch per call; refused entries are reported by index.
func TestRefQueueOverTheWire(t *testing.T) {
	srv := sqstest.New(sqstest.Options{})
	t.Cleanup(srv.Close)
	url := srv.CreateQueue("recordings")
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	q := reconcile.RefQueue{Sender: queue.New(client, url)}
	items := make([]yeastar.SearchItem, 10)
	for i := range items {
		items[i] = yeastar.SearchItem{ID: int64(i + 1), File: "20220112173629-1.1-1-2-Internal.wav", Time: "01/12/2022 17:36:24"}
	}
	failed, err := q.Enqueue(context.Background(), items)
	if err != nil || len(failed) != 0 || srv.Requests("SendMessageBatch") != 1 {
		t.Fatalf("failed %v err %v, %d requests", failed, err, srv.Requests("SendMessageBatch"))
	}
	srv.FailEntries(2, "InternalError", false)
	failed, err = q.Enqueue(context.Background(), items[:4])
	if err != nil || len(failed) != 2 {
		t.Fatalf("with two refused entries: failed %v err %v", failed, err)
	}
	srv.FailRequests("SendMessageBatch", 5, 400, "AccessDenied")
	if _, err := q.Enqueue(context.Background(), items[:3]); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("refused batch: %v", err)
	}
	if got := srv.Faults(); got.Entries != 2 || got.Requests == 0 {
		t.Errorf("faults fired: %+v, want 2 entries and the refused requests", got)
	}
}

// RefQueue's messages name their PBX, but the default PBX's, which stay
// as they were before there were many.
func TestRefQueueNamesItsPBX(t *testing.T) {
	srv := sqstest.New(sqstest.Options{})
	t.Cleanup(srv.Close)
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	item := yeastar.SearchItem{ID: 7, File: "20220112173629-1.1-1-2-Internal.wav"}
	for _, tc := range []struct{ pbx, want string }{{"hq", `{"pbx":"hq","id":7,`}, {"default", `{"id":7,`}, {"", `{"id":7,`}} {
		name := "q-" + tc.pbx
		q := reconcile.RefQueue{Sender: queue.New(client, srv.CreateQueue(name)), PBX: tc.pbx}
		if failed, err := q.Enqueue(t.Context(), []yeastar.SearchItem{item}); err != nil || len(failed) != 0 {
			t.Fatalf("PBX %q: failed %v, %v", tc.pbx, failed, err)
		}
		msgs := srv.Messages(name)
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Body, tc.want) {
			t.Errorf("PBX %q: messages %+v, want one starting %s", tc.pbx, msgs, tc.want)
		}
	}
}
