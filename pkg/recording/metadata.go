package recording

import (
	"net/url"
	"strconv"
	"strings"
)

// Metadata keys of a call's details (as x-amz-meta-*). Values are
// percent-encoded where they are not plain header text (see metaValue).
const (
	MetaCallID        = "call-id"
	MetaCallFrom      = "call-from"
	MetaCallTo        = "call-to"
	MetaCallTimeStart = "call-time-start"
	MetaCallType      = "call-type"
	MetaCallStatus    = "call-status"
	MetaPBXSN         = "pbx-sn"
	MetaCallUID       = "call-uid"
	// MetaPBX is the id of the PBX a recording comes from; absent for
	// DefaultPBX, as "pbx" is in messages, so that a single-PBX stack's
	// objects stay as they were.
	MetaPBX = "pbx"
)

// MaxMetadataSize is S3's limit on user metadata: the bytes of every key
// (counted here with its x-amz-meta- prefix, to be safe) and value.
const MaxMetadataSize = 2 << 10

const metaPrefix = "x-amz-meta-"

// Metadata returns the object metadata of a recording of DefaultPBX: see
// MetadataFor.
func Metadata(id int64, file string, call *Call) map[string]string {
	return MetadataFor(DefaultPBX, id, file, call)
}

// MetadataFor returns the object metadata of a recording of PBX pbx: its
// file, ID and PBX (MetaPBX, unless DefaultPBX), then as many of the
// call's details as fit in MaxMetadataSize, in order of importance. A
// detail that does not fit is left out whole, never cut.
func MetadataFor(pbx string, id int64, file string, call *Call) map[string]string {
	// S3 metadata travels in headers: keep it ASCII.
	m := map[string]string{MetaRecordingFile: url.PathEscape(file)}
	if id > 0 {
		m[MetaRecordingID] = strconv.FormatInt(id, 10)
	}
	if pbx != "" && pbx != DefaultPBX {
		m[MetaPBX] = pbx // a valid id: plain ASCII, at most 32 bytes
	}
	if call == nil {
		return m
	}
	size := 0
	for k, v := range m {
		size += len(metaPrefix) + len(k) + len(v)
	}
	for _, d := range []struct{ key, value string }{
		{MetaCallID, call.ID},
		{MetaCallTimeStart, call.TimeStart},
		{MetaCallFrom, call.From},
		{MetaCallTo, call.To},
		{MetaPBXSN, call.SN},
		{MetaCallUID, call.UID},
		{MetaCallType, call.Type},
		{MetaCallStatus, call.Status},
	} {
		if d.value == "" {
			continue
		}
		v := metaValue(d.value)
		if n := len(metaPrefix) + len(d.key) + len(v); size+n <= MaxMetadataSize {
			m[d.key] = v
			size += n
		}
	}
	return m
}

// metaValue encodes s as header text that reads as itself where it can:
// printable ASCII stays, and '%', control characters, bytes beyond ASCII
// (UTF-8 of non-ASCII names) and spaces that HTTP would trim or fold
// become %XX, so that url.PathUnescape gives s back.
func metaValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := c > ' ' && c < 0x7f && c != '%' ||
			c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' '
		if keep {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}
