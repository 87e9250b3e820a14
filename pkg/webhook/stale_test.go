package webhook_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// TestStaleCallNotQueued: a 30012 whose call started (time_start, read as
// UTC) more than MaxCallAge before it arrived is acknowledged and not
// queued, with a line saying so; one within the age, or whose start
// cannot be read, is queued.
func TestStaleCallNotQueued(t *testing.T) {
	const maxAge = 50 * time.Hour
	start := time.Date(2022, 4, 27, 19, 4, 36, 0, time.UTC) // withRecord's time_start
	noStart := strings.Replace(withRecord, `2022-04-27 19:04:36`, `27/04/2022 19:04:36`, 1)
	tests := []struct {
		name   string
		body   string
		now    time.Time
		queued bool
		log    string
	}{
		{"just within the age", withRecord, start.Add(maxAge), true, `"reason":"queued"`},
		{"older", withRecord, start.Add(maxAge + time.Second), false,
			`"reason":"call started 2022-04-27 19:04:36, more than 50h0m0s ago: a replay or an overdue retry, not queued"`},
		{"a start in another format", noStart, start.Add(30 * 24 * time.Hour), true, `"reason":"queued"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := &sender{}
			h, err := webhook.NewHandler(webhook.StaticKeyring(secret), s, slog.New(slog.NewJSONHandler(&logs, nil)),
				&webhook.Options{Now: func() time.Time { return tt.now }, MaxCallAge: maxAge})
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := h.Handle(t.Context(), request("POST", tt.body, webhook.Sign([]byte(tt.body), secret)))
			if resp.StatusCode != 200 || (len(s.refs) == 1) != tt.queued {
				t.Errorf("status %d, %d queued; want 200, queued %v", resp.StatusCode, len(s.refs), tt.queued)
			}
			if !strings.Contains(logs.String(), tt.log) || strings.Count(logs.String(), "\n") != 1 {
				t.Errorf("log %s, want one line with %s", logs.String(), tt.log)
			}
		})
	}
}
