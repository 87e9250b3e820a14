package reconcileapp

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/apptest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/seal"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
)

// TestBuildReconcileSealsItsObjects: the reconciler as main builds it, run
// once against a real S3 server, the PBX simulator and the SQS endpoint,
// leaves the reconcile state and the shared token in the bucket sealed:
// neither shows a field name of its JSON, each opens with the key derived
// from the client secret for its own purpose and bound to its own bucket
// and key, and with nothing else.
func TestBuildReconcileSealsItsObjects(t *testing.T) {
	const clientID, secret = "app-reconcile-client", "app-reconcile-secret-4c1e"
	sim := yeastartest.NewServer(yeastartest.Options{ClientID: clientID, ClientSecret: secret, TimeZone: time.UTC})
	t.Cleanup(sim.Close)
	at := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
	sim.AddRecording(yeastartest.Recording{ID: 31, File: at.Format("20060102150405") + "-1775369228.31-2001-2002-Inbound.wav", Size: 8})
	queue := sqstest.New(sqstest.Options{})
	t.Cleanup(queue.Close)
	bucket := server.NewBucket(t)
	env := map[string]string{
		"PBX_BASE_URL": sim.URL(), "PBX_ALLOW_HTTP": "true", "PBX_CLIENT_ID": clientID, "PBX_CLIENT_SECRET": secret,
		"RECORDINGS_BUCKET": bucket, "RECORDINGS_QUEUE_URL": queue.CreateQueue("recordings"),
	}
	for _, kv := range append(server.S3(t).Env(), queue.Env()...) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	lookup := apptest.Use(t, env)
	h, err := Build(t.Context(), lookup, redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	event := `{"from":"` + at.Add(-time.Hour).Format(time.RFC3339) + `","to":"` + at.Add(time.Hour).Format(time.RFC3339) + `"}`
	out, err := h.Invoke(t.Context(), []byte(event))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var res reconcile.Result
	if err := json.Unmarshal(out, &res); err != nil || res.Queued != 1 || len(queue.Messages("recordings")) != 1 {
		t.Fatalf("run: %s, %d messages, %v; want the one recording queued", out, len(queue.Messages("recordings")), err)
	}
	objects := []struct {
		key, purpose string
		fields       []string // every field name the JSON holds
	}{
		{reconcile.DefaultStateKey, reconcile.StatePurpose, []string{"queued", "ids", "times", "base"}},
		{config.DefaultTokenCacheKey, tokencache.SealPurpose, []string{"token", "access_token", "refresh_token", "issued", "access_expires"}},
	}
	for i, o := range objects {
		raw := server.Object(t, bucket, o.key)
		for _, f := range o.fields {
			if bytes.Contains(raw, []byte(f)) {
				t.Errorf("%s shows the field name %q", o.key, f)
			}
		}
		key := mustKey(t, secret, o.purpose)
		plain, err := key.Open(raw, []byte("s3://"+bucket+"/"+o.key))
		if err != nil {
			t.Errorf("%s does not open with its key and place: %v", o.key, err)
		}
		for _, f := range o.fields {
			if !bytes.Contains(plain, []byte(`"`+f+`"`)) {
				t.Errorf("%s opened holds no field %q: is it the object it should be?", o.key, f)
			}
		}
		for name, ad := range map[string]string{
			"another bucket": "s3://" + bucket + "-other/" + o.key,
			"another key":    "s3://" + bucket + "/" + o.key + ".other",
		} {
			if _, err := key.Open(raw, []byte(ad)); err == nil {
				t.Errorf("%s opens bound to %s", o.key, name)
			}
		}
		ad := []byte("s3://" + bucket + "/" + o.key)
		if _, err := mustKey(t, "another-client-secret", o.purpose).Open(raw, ad); err == nil {
			t.Errorf("%s opens under another client secret", o.key)
		}
		if _, err := mustKey(t, secret, objects[1-i].purpose).Open(raw, ad); err == nil {
			t.Errorf("%s opens under the key of %s", o.key, objects[1-i].key)
		}
	}
}

func mustKey(t *testing.T, secret, purpose string) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
