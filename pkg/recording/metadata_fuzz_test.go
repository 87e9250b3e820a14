package recording

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzMetadata checks, for any call details that validate, that the
// metadata is printable ASCII without spaces HTTP would trim or fold,
// within S3's 2 KiB, and that every detail kept decodes to itself.
func FuzzMetadata(f *testing.F) {
	f.Add("1641980184.14", "Evelyn<5566>", "Dave Harris<5556>", "3631A2124XXX", pbxName)
	f.Add("", "Jürgen  Müller ", "東京\t<5556>", "100%", "20220412173331-Müller.wav")
	f.Add(strings.Repeat("é", 128), strings.Repeat("ü", 128), strings.Repeat("x", 256), "\x7f", pbxName)
	f.Fuzz(func(t *testing.T, id, from, to, sn, file string) {
		call := Call{ID: id, From: from, To: to, SN: sn, UID: from, TimeStart: to, Type: id, Status: sn}
		if call.Validate() != nil || ValidateFileName(file) != nil {
			return
		}
		m := Metadata(1727, file, &call)
		if n := metaSize(m); n > MaxMetadataSize && len(m) > 2 {
			t.Fatalf("metadata is %d bytes with call details: %v", n, m)
		}
		checkHeaderText(t, m)
		want := map[string]string{MetaCallID: id, MetaCallFrom: from, MetaCallTo: to, MetaPBXSN: sn,
			MetaCallUID: from, MetaCallTimeStart: to, MetaCallType: id, MetaCallStatus: sn}
		for k, v := range m {
			orig, ok := want[k]
			if !ok {
				continue
			}
			if back, err := url.PathUnescape(v); err != nil || back != orig {
				t.Fatalf("%s = %q decodes to %q, %v; want %q", k, v, back, err, orig)
			}
		}
		if _, ok := m[MetaRecordingFile]; !ok {
			t.Fatal("recording-file was dropped")
		}
	})
}
