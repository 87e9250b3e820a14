package recording

import (
	"net/url"
	"strings"
	"testing"
)

// metaSize is what S3 counts against its limit (keys with their prefix).
func metaSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len("x-amz-meta-") + len(k) + len(v)
	}
	return n
}

func checkHeaderText(t *testing.T, m map[string]string) {
	t.Helper()
	for k, v := range m {
		if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
			t.Errorf("metadata %s = %q is not printable ASCII", k, v)
		}
		if v != strings.TrimSpace(v) || strings.Contains(v, "  ") {
			t.Errorf("metadata %s = %q has spaces HTTP would trim or fold", k, v)
		}
	}
}

func TestMetadataCallDetails(t *testing.T) {
	call := &Call{
		ID: "1641980184.14", TimeStart: "2022-01-12 17:36:24", From: "Evelyn<5566>", To: "Dave Harris<5556>",
		Type: "Internal", Status: "ANSWERED", SN: "3631A2124XXX", UID: "2022011217362446627",
	}
	m := Metadata(614, pbxName, call)
	want := map[string]string{
		MetaRecordingID: "614", MetaRecordingFile: pbxName,
		MetaCallID: "1641980184.14", MetaCallTimeStart: "2022-01-12 17:36:24", MetaCallFrom: "Evelyn<5566>",
		MetaCallTo: "Dave Harris<5556>", MetaCallType: "Internal", MetaCallStatus: "ANSWERED",
		MetaPBXSN: "3631A2124XXX", MetaCallUID: "2022011217362446627",
	}
	if len(m) != len(want) {
		t.Fatalf("metadata = %v, want %v", m, want)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, m[k], v)
		}
	}
	checkHeaderText(t, m)
}

func TestMetadataEncodesWhatIsNotHeaderText(t *testing.T) {
	tests := []struct{ from, want string }{
		{"Jürgen Müller<2002>", "J%C3%BCrgen M%C3%BCller<2002>"},
		{"東京 オフィス<5566>", "%E6%9D%B1%E4%BA%AC %E3%82%AA%E3%83%95%E3%82%A3%E3%82%B9<5566>"},
		{"100% sales", "100%25 sales"},
		{" padded ", "%20padded%20"},
		{"two  spaces", "two %20spaces"},
		{"tab\there\r\n", "tab%09here%0D%0A"},
		{"del\x7f", "del%7F"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			m := Metadata(0, pbxName, &Call{From: tt.from})
			got := m[MetaCallFrom]
			if got != tt.want {
				t.Errorf("call-from = %q, want %q", got, tt.want)
			}
			if back, err := url.PathUnescape(got); err != nil || back != tt.from {
				t.Errorf("call-from %q unescapes to %q, %v; want %q", got, back, err, tt.from)
			}
			checkHeaderText(t, m)
		})
	}
}

// TestMetadataBudget fills every detail to its bound with characters that
// triple when encoded: what fits stays whole, in order of importance, and
// the total stays within S3's 2 KiB.
func TestMetadataBudget(t *testing.T) {
	big := strings.Repeat("é", MaxCallFieldLen/2) // 256 bytes, 768 encoded
	call := &Call{ID: "1641980184.14", TimeStart: big, From: big, To: big, Type: big, Status: big, SN: big, UID: big}
	if err := call.Validate(); err != nil {
		t.Fatalf("test setup: %v", err)
	}
	file := strings.Repeat("ü", MaxFileNameLen/2) + ".wav"
	m := Metadata(1727, file, call)
	if n := metaSize(m); n > MaxMetadataSize {
		t.Fatalf("metadata is %d bytes, more than %d: %v", n, MaxMetadataSize, m)
	}
	// 1727 + the file (776 encoded) + call-id leave room for one 768-byte
	// detail: the most important one, time_start; the rest are dropped whole.
	for _, k := range []string{MetaRecordingFile, MetaRecordingID, MetaCallID, MetaCallTimeStart} {
		if _, ok := m[k]; !ok {
			t.Errorf("metadata has no %s: %v", k, m)
		}
	}
	for _, k := range []string{MetaCallFrom, MetaCallTo, MetaPBXSN, MetaCallUID, MetaCallType, MetaCallStatus} {
		if v, ok := m[k]; ok {
			t.Errorf("metadata %s = %q was kept beyond the budget", k, v)
		}
	}
	if back, _ := url.PathUnescape(m[MetaCallTimeStart]); back != big {
		t.Errorf("call-time-start was cut: %q", m[MetaCallTimeStart])
	}
	checkHeaderText(t, m)

	// A short detail after a dropped long one still fits.
	call.From, call.SN = strings.Repeat("x", 100), "3631A2124XXX"
	m = Metadata(1727, file, call)
	if m[MetaPBXSN] != "3631A2124XXX" || m[MetaCallFrom] == "" {
		t.Errorf("short details dropped: %v", m)
	}
	if n := metaSize(m); n > MaxMetadataSize {
		t.Fatalf("metadata is %d bytes, more than %d", n, MaxMetadataSize)
	}
}

func TestMetadataWithoutCall(t *testing.T) {
	m := Metadata(0, pbxName, nil)
	if len(m) != 1 || m[MetaRecordingFile] != pbxName {
		t.Errorf("metadata = %v, want only %s", m, MetaRecordingFile)
	}
	if m := Metadata(5, pbxName, &Call{}); len(m) != 2 || m[MetaRecordingID] != "5" {
		t.Errorf("metadata of an empty call = %v, want id and file only", m)
	}
}

func TestCallSanitized(t *testing.T) {
	c := Call{ID: "1.2", From: strings.Repeat("x", MaxCallFieldLen+1), To: "a\xffb", SN: "SN"}
	got := c.Sanitized()
	if got != (Call{ID: "1.2", SN: "SN"}) {
		t.Errorf("Sanitized = %+v, want only call_id and sn", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("sanitized call does not validate: %v", err)
	}
}
