package yeastartest

import (
	"io"
	"runtime"
	"testing"
)

// memWatcher discards what it is written and samples the heap every 64 MiB.
type memWatcher struct {
	written, next int64
	maxHeap       uint64
}

func (m *memWatcher) Write(p []byte) (int, error) {
	m.written += int64(len(p))
	if m.written >= m.next {
		m.next += 64 << 20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		m.maxHeap = max(m.maxHeap, ms.HeapAlloc)
	}
	return len(p), nil
}

func TestLargeRecordingUsesNoMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const size = 1 << 30
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "big.wav", Size: size})
	c := newTestClient(t, s)
	u := c.downloadURL(c.token(), 1)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	resp := c.download(u, "")
	defer resp.Body.Close()
	w := &memWatcher{}
	n, err := io.Copy(w, resp.Body)
	if err != nil || n != size {
		t.Fatalf("copied %d bytes, %v; want %d", n, err, size)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	t.Logf("heap growth %d bytes, total allocated %d bytes", int64(w.maxHeap)-int64(before.HeapAlloc), after.TotalAlloc-before.TotalAlloc)
	if growth := int64(w.maxHeap) - int64(before.HeapAlloc); growth > 8<<20 {
		t.Errorf("HeapAlloc grew by %d bytes while streaming 1 GiB, want < 8 MiB", growth)
	}
	// Allocating per chunk would show here even when the GC keeps HeapAlloc low.
	if total := after.TotalAlloc - before.TotalAlloc; total > 16<<20 {
		t.Errorf("allocated %d bytes in total while streaming 1 GiB, want < 16 MiB", total)
	}
	if st := s.Stats(); st.DownloadBytes != size || st.DownloadsCompleted != 1 {
		t.Errorf("DownloadBytes %d, completed %d", st.DownloadBytes, st.DownloadsCompleted)
	}
}
