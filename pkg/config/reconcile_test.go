package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadReconcile(t *testing.T) {
	base := map[string]string{"RECORDINGS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/recordings"}
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if v, ok := env[k]; ok {
				return v, true
			}
			v, ok := base[k]
			return v, ok
		}
	}
	c := Config{TokenCacheKey: DefaultTokenCacheKey}
	r, err := LoadReconcile(c, lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if r.Lookback != 26*time.Hour || r.Settle != 10*time.Minute || r.RequeueAfter != 6*time.Hour || r.StateKey != ".recording-sync/reconcile-state.json" ||
		r.MaxPages != DefaultReconcileMaxPages || r.MaxQueued != DefaultReconcileMaxQueued || r.PBXConcurrency != 4 {
		t.Fatalf("defaults: %+v", r)
	}
	r, err = LoadReconcile(c, lookup(map[string]string{"RECONCILE_LOOKBACK": "48h", "RECONCILE_SETTLE": "0s", "RECONCILE_REQUEUE_AFTER": "90m",
		"RECONCILE_MAX_PAGES": "250", "RECONCILE_MAX_QUEUED": " 5000 ", "RECONCILE_PBX_CONCURRENCY": "8"}))
	if err != nil || r.Lookback != 48*time.Hour || r.Settle != 0 || r.RequeueAfter != 90*time.Minute || r.MaxPages != 250 || r.MaxQueued != 5000 || r.PBXConcurrency != 8 {
		t.Fatalf("set: %+v %v", r, err)
	}
	// One variable set wrong, or removed (""): an error of one line that
	// names it and says what it must be.
	for _, tc := range []struct{ variable, value, want string }{
		{"RECORDINGS_QUEUE_URL", "", "is required"},
		{"RECORDINGS_QUEUE_URL", "recordings", "must be"},
		{"AWS_ENDPOINT_URL_SQS", "localhost:9324", "must be"},
		{"RECONCILE_LOOKBACK", "1 day", "must be a Go duration"},
		{"RECONCILE_PBX_CONCURRENCY", "0", "must be a whole number"},
		{"RECONCILE_PBX_CONCURRENCY", "33", "must be at most 32"},
		{"RECONCILE_SETTLE", "-5m", "must be a Go duration"},
		{"RECONCILE_REQUEUE_AFTER", "6", "must be a Go duration"},
		{"RECONCILE_REQUEUE_AFTER", "0s", "must be a positive"},
		{"RECONCILE_SETTLE", "30h", "must be shorter"},
		{"RECONCILE_MAX_PAGES", "0", "must be a whole number from 1"},
		{"RECONCILE_MAX_PAGES", "many", "must be a whole number from 1"},
		{"RECONCILE_MAX_QUEUED", "-3", "must be a whole number from 1"},
		{"RECONCILE_MAX_QUEUED", "1e9", "must be a whole number from 1"},
	} {
		_, err := LoadReconcile(c, lookup(map[string]string{tc.variable: tc.value}))
		want := tc.variable + " " + tc.want
		if err == nil || !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("%s=%q: err %v, want one line containing %q", tc.variable, tc.value, err, want)
		}
	}
}
