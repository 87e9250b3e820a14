package yeastartest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

func TestContentIsDeterministic(t *testing.T) {
	a := contentBytes(t, "a.wav", 1000, 0, 1000)
	again := contentBytes(t, "a.wav", 1000, 0, 1000)
	other := contentBytes(t, "b.wav", 1000, 0, 1000)
	if len(a) != 1000 {
		t.Fatalf("len = %d, want 1000", len(a))
	}
	if !bytes.Equal(a, again) {
		t.Error("two reads of the same recording differ")
	}
	if bytes.Equal(a, other) {
		t.Error("two file names give the same bytes")
	}
	if short := contentBytes(t, "a.wav", 10, 0, 10); !bytes.Equal(short, a[:10]) {
		t.Error("a shorter recording is not a prefix of a longer one")
	}
}

func TestContentAtIsSuffix(t *testing.T) {
	const file = "20220412173331-1649756009.12-2002-2005-Internal.wav"
	tests := []struct {
		name         string
		size, offset int64
		wantFrom     int64
	}{
		{"start", 100003, 0, 0},
		{"one", 100003, 1, 1},
		{"word end", 100003, 7, 7},
		{"word boundary", 100003, 8, 8},
		{"after boundary", 100003, 9, 9},
		{"past a buffer", 100003, bufSize + 5, bufSize + 5},
		{"last byte", 100003, 100002, 100002},
		{"at end", 100003, 100003, 100003},
		{"past end clamps", 100003, 200000, 100003},
		{"negative clamps", 100003, -5, 0},
		{"empty", 0, 0, 0},
		{"tiny unaligned", 5, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contentBytes(t, file, tt.size, tt.wantFrom, tt.size)
			// iotest.TestReader reads with many buffer sizes, which covers
			// reads starting and ending inside an 8-byte word.
			if err := iotest.TestReader(ContentAt(file, tt.size, tt.offset), want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestContentWriteToMatchesRead(t *testing.T) {
	var viaWriteTo bytes.Buffer
	n, err := io.Copy(&viaWriteTo, ContentAt("x.mp3", 3*bufSize+11, 13))
	if err != nil || n != 3*bufSize-2 {
		t.Fatalf("io.Copy = %d, %v; want %d, nil", n, err, 3*bufSize-2)
	}
	viaRead, err := io.ReadAll(iotest.OneByteReader(ContentAt("x.mp3", 3*bufSize+11, 13)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaWriteTo.Bytes(), viaRead) {
		t.Error("WriteTo and Read produce different bytes")
	}
}

// BenchmarkContent measures the generator: the MB/s column is its speed,
// reading from a word boundary and from an offset inside a word.
func BenchmarkContent(b *testing.B) {
	const size = 1 << 30
	for _, tt := range []struct {
		name   string
		offset int64
	}{{"aligned", 0}, {"unaligned", 3}} {
		b.Run(tt.name, func(b *testing.B) {
			buf := make([]byte, bufSize)
			b.SetBytes(bufSize)
			r := ContentAt("bench.wav", size, tt.offset)
			for b.Loop() {
				if _, err := r.Read(buf); err == io.EOF {
					r = ContentAt("bench.wav", size, tt.offset)
				}
			}
		})
	}
}

// TestContentIsNotSniffedAsText checks that a recording starts as its format
// does: this file's random bytes began with "<a ", which a client sniffing
// the body rightly takes for an HTML error page.
func TestContentIsNotSniffedAsText(t *testing.T) {
	for file, magic := range map[string]string{
		"20261204041104-1796357464.257-2001-2002-Internal.wav": "RIFF",
		"20261204041104-1796357464.257-2001-2002-Internal.mp3": "ID3",
	} {
		head := make([]byte, 512)
		if _, err := io.ReadFull(Content(file, 2019202), head); err != nil {
			t.Fatal(err)
		}
		if got := http.DetectContentType(head); strings.HasPrefix(got, "text/") || !bytes.HasPrefix(head, []byte(magic)) {
			t.Errorf("%s starts % x, sniffed as %s; want %q and not text", file, head[:4], got, magic)
		}
	}
}
