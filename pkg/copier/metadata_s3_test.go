package copier

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
)

// server is the real S3 server, started by the first test that needs it.
var server localenvtest.Server

func TestMain(m *testing.M) { localenvtest.S3Main(m, &server) }

// TestCallMetadataRoundTrip copies a recording with unicode and oversized
// call details from the PBX simulator into the real S3 server: HeadObject
// shows every detail that fits, decodable, and a second copy of the same
// message asks the PBX nothing.
func TestCallMetadataRoundTrip(t *testing.T) {
	const file = "20220112173629-1641980184.14-5566-5556-Internal.wav"
	sim, pbx := simPBX(t, yeastartest.Recording{ID: 614, File: file, Size: 4096})
	client := server.Client(t)
	bucket := server.NewBucket(t)
	c := NewCopier(pbx, s3store.New(client, nil), bucket, recording.KeyTemplate{}, nil)
	call := &recording.Call{
		ID: "1641980184.14", TimeStart: "2022-01-12 17:36:24", From: "Jürgen Müller<5566>", To: "東京 オフィス<5556>",
		Type: "Internal", Status: "ANSWERED", SN: "3631A2124XXX", UID: strings.Repeat("é", 128),
	}
	ref := recording.Ref{ID: 614, File: file, Call: call}
	res, err := c.Copy(t.Context(), ref)
	if err != nil || res.AlreadyStored {
		t.Fatalf("Copy = %+v, %v; want newly stored", res, err)
	}
	head, err := client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &res.Key})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		recording.MetaRecordingID: "614", recording.MetaRecordingFile: file, recording.MetaCallID: call.ID,
		recording.MetaCallTimeStart: call.TimeStart, recording.MetaCallFrom: call.From, recording.MetaCallTo: call.To,
		recording.MetaCallType: call.Type, recording.MetaCallStatus: call.Status, recording.MetaPBXSN: call.SN,
		recording.MetaCallUID: call.UID,
	}
	for k, v := range want {
		got, err := url.PathUnescape(head.Metadata[k])
		if err != nil || got != v {
			t.Errorf("x-amz-meta-%s = %q (decoded %q, %v), want %q", k, head.Metadata[k], got, err, v)
		}
	}
	if len(head.Metadata) != len(want) {
		t.Errorf("metadata %v, want exactly %d entries", head.Metadata, len(want))
	}

	before := sim.Stats().APIRequests["recording/download"]
	again, err := c.Copy(t.Context(), ref)
	if err != nil || !again.AlreadyStored || again.Key != res.Key {
		t.Fatalf("second Copy = %+v, %v; want already stored at %s", again, err, res.Key)
	}
	if after := sim.Stats().APIRequests["recording/download"]; after != before {
		t.Errorf("a duplicate message cost %d PBX link requests, want 0", after-before)
	}
}
