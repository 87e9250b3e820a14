package yeastartest

import (
	"encoding/binary"
	"hash/fnv"
	"io"
	"path"
	"strings"
)

// bufSize is the size of the one buffer a download or a WriteTo streams
// through, whatever the size of the recording.
const bufSize = 64 << 10

// Content returns the exact bytes the simulator serves for the recording
// named file of size bytes. The bytes are generated on the fly, never held in
// memory, and are the same on every call.
func Content(file string, size int64) io.Reader {
	return ContentAt(file, size, 0)
}

// ContentAt returns the bytes of Content(file, size) from offset on, without
// generating the bytes before offset. An offset outside [0, size] is clamped
// to it.
func ContentAt(file string, size, offset int64) io.Reader {
	offset = max(0, min(offset, size))
	return newContentReader(file, offset, size)
}

// contentReader generates the bytes [off, end) of one recording.
type contentReader struct {
	seed     uint64
	magic    string // the format's first bytes
	off, end int64
}

func newContentReader(file string, off, end int64) *contentReader {
	return &contentReader{seed: seedOf(file), magic: magicOf(file), off: off, end: end}
}

// Read fills p with the next bytes of the recording.
func (r *contentReader) Read(p []byte) (int, error) {
	if r.off >= r.end {
		return 0, io.EOF
	}
	if rem := r.end - r.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	fill(r.seed, r.off, p)
	if r.off < int64(len(r.magic)) {
		copy(p, r.magic[r.off:])
	}
	r.off += int64(len(p))
	return len(p), nil
}

// WriteTo writes the rest of the recording to w through one small buffer, so
// io.Copy never allocates more than bufSize for any size.
func (r *contentReader) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, min(bufSize, max(r.end-r.off, 0)))
	var total int64
	for r.off < r.end {
		n, _ := r.Read(buf)
		m, err := w.Write(buf[:n])
		total += int64(m)
		if err != nil {
			return total, err
		}
		if m < n {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}

// magicOf is how a recording of file's format starts, as a real one
// does: a .wav with its RIFF header, an .mp3 with an ID3 tag. Random first
// bytes could start like HTML ("<a "), and a client that sniffs the body
// would rightly refuse them as an error page.
func magicOf(file string) string {
	return magics[strings.ToLower(path.Ext(file))]
}

var magics = map[string]string{".wav": "RIFF", ".mp3": "ID3\x03"}

// seedOf derives the generator's seed from the file name (FNV-64a).
func seedOf(file string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(file)) // hash.Hash.Write never fails
	return h.Sum64()
}

// fill writes the recording's bytes starting at offset off into p. Word i
// (bytes 8i..8i+7, little endian) is splitmix64(seed+i), so any offset is
// produced without producing the bytes before it.
func fill(seed uint64, off int64, p []byte) {
	idx := seed + uint64(off)/8
	var w [8]byte
	if skip := off % 8; skip != 0 {
		binary.LittleEndian.PutUint64(w[:], splitmix64(idx))
		p = p[copy(p, w[skip:]):]
		idx++
	}
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, splitmix64(idx))
		p = p[8:]
		idx++
	}
	if len(p) > 0 {
		binary.LittleEndian.PutUint64(w[:], splitmix64(idx))
		copy(p, w[:])
	}
}

// splitmix64 is the output function of Vigna's SplitMix64 generator.
func splitmix64(x uint64) uint64 {
	z := x + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
