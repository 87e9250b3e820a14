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
		r.MaxPages != DefaultReconcileMaxPages || r.MaxQueued != DefaultReconcileMaxQueued {
		t.Fatalf("defaults: %+v", r)
	}
	r, err = LoadReconcile(c, lookup(map[string]string{"RECONCILE_LOOKBACK": "48h", "RECONCILE_SETTLE": "0s", "RECONCILE_REQUEUE_AFTER": "90m",
		"RECONCILE_MAX_PAGES": "250", "RECONCILE_MAX_QUEUED": " 5000 "}))
	if err != nil || r.Lookback != 48*time.Hour || r.Settle != 0 || r.RequeueAfter != 90*time.Minute || r.MaxPages != 250 || r.MaxQueued != 5000 {
		t.Fatalf("set: %+v %v", r, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"RECORDINGS_QUEUE_URL": ""}, "RECORDINGS_QUEUE_URL is required"},
		{map[string]string{"RECORDINGS_QUEUE_URL": "recordings"}, "RECORDINGS_QUEUE_URL must be"},
		{map[string]string{"AWS_ENDPOINT_URL_SQS": "localhost:9324"}, "AWS_ENDPOINT_URL_SQS must be"},
		{map[string]string{"RECONCILE_LOOKBACK": "1 day"}, "RECONCILE_LOOKBACK must be a Go duration"},
		{map[string]string{"RECONCILE_SETTLE": "-5m"}, "RECONCILE_SETTLE must be a Go duration"},
		{map[string]string{"RECONCILE_REQUEUE_AFTER": "6"}, "RECONCILE_REQUEUE_AFTER must be a Go duration"},
		{map[string]string{"RECONCILE_REQUEUE_AFTER": "0s"}, "RECONCILE_REQUEUE_AFTER must be a positive"},
		{map[string]string{"RECONCILE_SETTLE": "30h"}, "RECONCILE_SETTLE must be shorter"},
		{map[string]string{"RECONCILE_MAX_PAGES": "0"}, "RECONCILE_MAX_PAGES must be a whole number from 1"},
		{map[string]string{"RECONCILE_MAX_PAGES": "many"}, "RECONCILE_MAX_PAGES must be a whole number from 1"},
		{map[string]string{"RECONCILE_MAX_QUEUED": "-3"}, "RECONCILE_MAX_QUEUED must be a whole number from 1"},
		{map[string]string{"RECONCILE_MAX_QUEUED": "1e9"}, "RECONCILE_MAX_QUEUED must be a whole number from 1"},
	} {
		_, err := LoadReconcile(c, lookup(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("%v: err %v, want one line containing %q", tc.env, err, tc.want)
		}
	}
}
