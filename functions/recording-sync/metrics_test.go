package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// metricsNamespace is the namespace the function is given in these tests:
// it shows that METRICS_NAMESPACE reaches the emitter.
const metricsNamespace = "RecordingSyncE2E"

// emfData parses every line the emulator and the function printed; each
// must be valid EMF or carry no metrics at all. It returns the data and the
// number of lines that carried metrics.
func emfData(t *testing.T, out string) ([]metricstest.Datum, int) {
	t.Helper()
	var data []metricstest.Datum
	lines := 0
	for line := range strings.Lines(out) {
		d, err := metricstest.Parse([]byte(line))
		if err != nil {
			t.Fatalf("Parse(%s): %v", line, err)
		}
		if len(d) > 0 {
			lines++
		}
		data = append(data, d...)
	}
	return data, lines
}

// TestMetricsMatchWhatHappened runs one SQS batch through the built
// bootstrap, one record at a time so that its outcome does not depend on
// the order of concurrent copies: a recording copied (its call's end
// given), the same recording again (already stored), an undecodable
// message, a recording the PBX refuses (PermanentError), a second
// recording copied, and a call without a recording (no metrics). The
// metrics of the function's output must add up to exactly that, with the
// bytes the bucket holds.
func TestMetricsMatchWhatHappened(t *testing.T) {
	st := newStack(t, stackOptions{extraEnv: []string{"BATCH_CONCURRENCY=1", "METRICS_NAMESPACE=" + metricsNamespace}})
	recs := []yeastartest.Recording{
		{ID: 101, File: recordingFile(41, "wav"), Size: 96 << 10},
		{ID: 102, File: recordingFile(42, "wav"), Size: 40<<10 + 7},
		{ID: 103, File: recordingFile(43, "wav"), Size: 10 << 10},
	}
	for _, r := range recs {
		st.sim.AddRecording(r)
	}
	st.sim.DownloadBody(recs[2].File, "audio/x-wav", `{"errcode":10005,"errmsg":"ACCESS DENIED"}`, 100)
	// Whole seconds: the event's RFC 3339 time carries no fraction.
	callEnded := time.Now().Add(-30 * time.Second).Truncate(time.Second)
	noRecording, _ := json.Marshal(`{"call_id":"1651057476.362","status":"NO ANSWER","recording":""}`)
	bodies := []struct{ id, body string }{
		{"copied", fmt.Sprintf(`{"id":101,"callEnded":%q}`, callEnded.Format(time.RFC3339))},
		{"again", fmt.Sprintf(`{"file":%q}`, recs[0].File)},
		{"invalid", `{"id":`},
		{"refused", `{"id":103}`},
		{"copied-too", `{"id":102}`},
		{"no-recording", `{"type":30012,"msg":` + string(noRecording) + `}`},
	}
	var records []string
	for _, b := range bodies {
		quoted, _ := json.Marshal(b.body)
		records = append(records, fmt.Sprintf(`{"messageId":%q,"eventSource":"aws:sqs","body":%s}`, b.id, quoted))
	}
	failures := st.invokeBatch(t, `{"Records":[`+strings.Join(records, ",")+`]}`)
	stored := time.Now()
	if want := []string{"invalid", "refused"}; !slices.Equal(failures, want) {
		t.Fatalf("batch failures %v, want %v", failures, want)
	}
	if n := st.sim.Stats().Faults.Body; n == 0 {
		t.Errorf("the PBX never refused the download: the refused recording proved nothing")
	}

	data, lines := emfData(t, st.out.String())
	if lines != 5 {
		t.Errorf("%d lines carried metrics, want one per recording record: 5", lines)
	}
	totals := metricstest.Totals{}
	totals.Add(data...)
	fn := metrics.DimFunction + "=recording-sync" // localenv's AWS_LAMBDA_FUNCTION_NAME
	get := func(name string, dims ...string) float64 {
		return totals.Get(metricsNamespace, name, append(dims, fn)...)
	}
	tokens := st.sim.Stats()
	checks := []struct {
		name string
		dims []string
		want float64
	}{
		{"RecordingsCopied", nil, 2},
		{"RecordingsAlreadyStored", nil, 1},
		{"RecordingsFailed", nil, 2},
		{"RecordingsFailed", []string{"errorType=PermanentError"}, 1},
		{"RecordingsFailed", []string{"errorType=InvalidInputError"}, 1},
		{"BytesCopied", nil, float64(st.objectSize(t, recs[0].File) + st.objectSize(t, recs[1].File))},
		{"BytesCopied", nil, float64(recs[0].Size + recs[1].Size)},
		{"DownloadResumes", nil, 0},
		{"BusyWaits", nil, 0},
		{"TokenRenewals", nil, float64(tokens.TokensIssued + tokens.Refreshes)},
	}
	for _, c := range checks {
		if got := get(c.name, c.dims...); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.name, c.dims, got, c.want)
		}
	}
	if tokens.TokensIssued == 0 {
		t.Error("the PBX issued no token: TokenRenewals was not exercised")
	}
	var callEnd, durations []float64
	for _, d := range data {
		if d.Namespace != metricsNamespace || d.Dimensions[metrics.DimFunction] != "recording-sync" {
			t.Errorf("datum %+v: want namespace %s, function recording-sync", d, metricsNamespace)
		}
		switch d.Name {
		case "CallEndToStored":
			callEnd = append(callEnd, d.Values...)
		case "CopyDuration":
			durations = append(durations, d.Values...)
		}
	}
	// Stored after the event was made, and before the batch answered.
	if len(callEnd) != 1 || callEnd[0] < 30 || callEnd[0] > stored.Sub(callEnded).Seconds() {
		t.Errorf("CallEndToStored = %v, want one value from 30 to %v", callEnd, stored.Sub(callEnded).Seconds())
	}
	if len(durations) != 2 {
		t.Errorf("CopyDuration = %v, want one value per recording copied", durations)
	}
}

// objectSize is the size of the stored recording file under the default
// key template, as the bucket reports it.
func (st *stack) objectSize(t *testing.T, file string) int64 {
	t.Helper()
	key := fmt.Sprintf("recordings/%s/%s/%s/%s", file[0:4], file[4:6], file[6:8], file)
	head, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	return *head.ContentLength
}
