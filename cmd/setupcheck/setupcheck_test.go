package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// line returns the output line of step, or fails t.
func line(t *testing.T, out, step string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(ok|warn|FAIL)\s+` + regexp.QuoteMeta(step) + `\s.*$`)
	l := re.FindString(out)
	if l == "" {
		t.Fatalf("no line for step %q in:\n%s", step, out)
	}
	return l
}

// wantLine checks the status of step's line and that it contains every part.
func wantLine(t *testing.T, out, step, status string, parts ...string) {
	t.Helper()
	l := line(t, out, step)
	if !strings.HasPrefix(l, status+" ") {
		t.Errorf("step %q: %q, want status %s", step, l, status)
	}
	for _, p := range parts {
		if !strings.Contains(l, p) {
			t.Errorf("step %q: %q lacks %q", step, l, p)
		}
	}
}

// noSecrets checks that out holds none of the stack's secrets, nor any
// access token value.
func noSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{testClientSecret, testWebhookSecret, "localsecretkey"} {
		if strings.Contains(out, s) {
			t.Errorf("output contains the secret %q", s)
		}
	}
	if regexp.MustCompile(`access_token=[^R&\s]`).MatchString(out) {
		t.Errorf("output contains an access token:\n%s", out)
	}
}

func TestAllOK(t *testing.T) {
	s := newStack(t)
	code, out := runCheck(t)
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	wantLine(t, out, "configuration", "ok")
	wantLine(t, out, "reach PBX", "ok", "answered over TLS", "trusted")
	wantLine(t, out, "login", "ok", "get_token as "+testClientID, "30m0s")
	wantLine(t, out, "system/information", "ok", yeastartest.DefaultModel, "firmware 37.20.0.21 (Appliance Edition), has the API and webhooks", "dates YYYY/MM/DD, time zone UTC+00:00", "clock")
	wantLine(t, out, "recording/search", "ok", "1 recording(s)", "-1700000000.1-2001-2002-Internal.wav")
	wantLine(t, out, "recording/download", "ok", "link for", "not downloaded")
	wantLine(t, out, "bucket", "ok", "HeadBucket")
	wantLine(t, out, "queue", "ok", "recordings reachable")
	wantLine(t, out, "webhook", "ok", "401", "Send Test Message")
	if strings.Contains(out, "FAIL") || strings.Contains(out, "warn") {
		t.Errorf("a step did not pass:\n%s", out)
	}
	noSecrets(t, out)
	st := s.sim.Stats()
	if st.GetTokenCalls != 1 || st.DeletedTokens != 1 || st.DownloadsStarted != 0 {
		t.Errorf("get_token %d, del_token %d, downloads %d; want 1, 1, 0", st.GetTokenCalls, st.DeletedTokens, st.DownloadsStarted)
	}
	if n := s.queued.Load(); n != 0 {
		t.Errorf("the webhook queued %d message(s) for the unsigned probe", n)
	}
	if n := s.sqs.Requests("GetQueueUrl"); n != 1 {
		t.Errorf("GetQueueUrl requests %d, want 1", n)
	}
}

func TestPBXFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, s *stack)
		step   string
		parts  []string
		logins int // get_token calls the simulator must have seen
	}{
		{"unreachable PBX", func(t *testing.T, _ *stack) { t.Setenv("PBX_BASE_URL", closedURL(t)) },
			"reach PBX", []string{"cannot reach", "no further PBX request", "-> check PBX_BASE_URL"}, 0},
		{"bad certificate", func(t *testing.T, _ *stack) { t.Setenv("PBX_CA_CERT", "") },
			"reach PBX", []string{"certificate is not trusted", "-> if the PBX uses its own CA, set PBX_CA_CERT"}, 0},
		{"bad credentials", func(t *testing.T, _ *stack) { t.Setenv("PBX_CLIENT_SECRET", "Wr0ng-secret-of-the-setup-check") },
			"login", []string{"refused the client ID or secret", "errcode -1", "no further PBX request", "block of this IP after 5 failures"}, 1},
		{"IP blocked", func(_ *testing.T, s *stack) { s.sim.FailAPI("get_token", yeastartest.ErrCodeAccountIPBlocked, 1) },
			"login", []string{"blocked this IP", "blocked IP list"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			tt.setup(t, s)
			code, out := runCheck(t)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			wantLine(t, out, tt.step, "FAIL", tt.parts...)
			st := s.sim.Stats()
			if st.GetTokenCalls != tt.logins {
				t.Errorf("get_token calls %d, want %d: the check logs in at most once", st.GetTokenCalls, tt.logins)
			}
			for _, ep := range []string{"system/information", "recording/search", "recording/download"} {
				if st.APIRequests[ep] != 0 {
					t.Errorf("%s was asked after the failure", ep)
				}
			}
			// The steps that do not need the PBX still run.
			wantLine(t, out, "bucket", "ok")
			wantLine(t, out, "queue", "ok")
			noSecrets(t, out)
			if strings.Contains(out, "Wr0ng-secret") {
				t.Error("output contains the wrong secret")
			}
		})
	}
}

func TestRecordingFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *stack)
		step  string
		parts []string
		fired string // the endpoint whose fault must have fired
	}{
		{"no search permission", func(s *stack) { s.sim.FailAPI("recording/search", yeastartest.ErrCodeAccessDenied, 1) },
			"recording/search", []string{"errcode 10005", "may not search call recordings"}, "recording/search"},
		{"no download permission", func(s *stack) { s.sim.FailAPI("recording/download", yeastartest.ErrCodeAccessDenied, 1) },
			"recording/download", []string{"recording 41", "errcode 10005", "may not download call recordings"}, "recording/download"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			tt.setup(s)
			code, out := runCheck(t)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			wantLine(t, out, tt.step, "FAIL", tt.parts...)
			if n := s.sim.Stats().APIRequests[tt.fired]; n != 1 {
				t.Errorf("%s requests %d, want 1 (the fault fired once)", tt.fired, n)
			}
			noSecrets(t, out)
		})
	}

	t.Run("no recent recording", func(t *testing.T) {
		s := newStack(t)
		code, out := runCheck(t, "-since", "30m")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		wantLine(t, out, "recording/search", "ok", "no recording in the last 30m0s")
		wantLine(t, out, "recording/download", "FAIL", "no recording in the last 30m0s", "make a short call with recording on")
		if n := s.sim.Stats().APIRequests["recording/download"]; n != 0 {
			t.Errorf("recording/download asked %d times without a recording", n)
		}
	})
}

func TestSystemInformationFindings(t *testing.T) {
	tests := []struct {
		name   string
		info   yeastartest.SystemInfo
		status string
		parts  []string
		code   int
	}{
		{"old firmware without system/information", yeastartest.SystemInfo{Absent: true}, "warn",
			[]string{"not offered by this firmware", "errcode 10001", "-> upgrade the PBX firmware"}, 0},
		{"firmware without webhooks", yeastartest.SystemInfo{Firmware: "37.19.0.10"}, "warn",
			[]string{"older than 37.20.0.21 (webhooks)", "only the reconciler finds new recordings"}, 0},
		{"firmware without the API", yeastartest.SystemInfo{Firmware: "37.6.0.3"}, "FAIL",
			[]string{"older than the API's 37.7.0.16"}, 1},
		{"cloud edition, day first, west of UTC", yeastartest.SystemInfo{Firmware: "84.20.0.30", DateFormat: "DD/MM/YYYY", TimeZone: fixedZone(-3*3600 - 1800)}, "ok",
			[]string{"84.20.0.30 (Cloud Edition)", "dates DD/MM/YYYY, time zone UTC-03:30"}, 0},
		{"clock off", yeastartest.SystemInfo{ClockSkew: -10 * minute}, "warn",
			[]string{"clock 10m", "behind this machine's", "NTP"}, 0},
		{"unknown date format", yeastartest.SystemInfo{DateFormat: "DD.MM.YYYY"}, "warn",
			[]string{`format "DD.MM.YYYY" not understood`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			s.sim.SetSystemInfo(tt.info)
			code, out := runCheck(t)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			wantLine(t, out, "system/information", tt.status, tt.parts...)
			wantLine(t, out, "recording/download", "ok")
			if n := s.sim.Stats().APIRequests["system/information"]; n != 1 {
				t.Errorf("system/information requests %d, want 1", n)
			}
		})
	}
}

func TestAWSFailures(t *testing.T) {
	t.Run("missing bucket", func(t *testing.T) {
		newStack(t)
		t.Setenv("RECORDINGS_BUCKET", "no-such-bucket-of-the-setup-check")
		code, out := runCheck(t)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		wantLine(t, out, "bucket", "FAIL", "s3://no-such-bucket-of-the-setup-check does not exist", "BucketName output")
		wantLine(t, out, "queue", "ok")
		noSecrets(t, out)
	})
	t.Run("missing queue", func(t *testing.T) {
		s := newStack(t)
		t.Setenv("RECORDINGS_QUEUE_URL", s.sqs.URL()+"/000000000000/no-such-queue")
		code, out := runCheck(t)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		wantLine(t, out, "queue", "FAIL", "queue no-such-queue of account 000000000000 does not exist", "QueueUrl output")
		if n := s.sqs.Requests("GetQueueUrl"); n != 1 {
			t.Errorf("GetQueueUrl requests %d, want 1", n)
		}
		noSecrets(t, out)
	})
	t.Run("no queue URL, no webhook URL", func(t *testing.T) {
		newStack(t)
		t.Setenv("RECORDINGS_QUEUE_URL", "")
		t.Setenv("WEBHOOK_URL", "")
		code, out := runCheck(t)
		if code != 0 {
			t.Errorf("exit %d, want 0: skipped steps are warnings", code)
		}
		wantLine(t, out, "queue", "warn", "not set")
		wantLine(t, out, "webhook", "warn", "not checked", "Send Test Message")
	})
	t.Run("webhook URL is not the webhook", func(t *testing.T) {
		s := newStack(t)
		code, out := runCheck(t, "-webhook-url", s.sqs.URL()+"/")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		wantLine(t, out, "webhook", "FAIL", "want 401")
	})
}
