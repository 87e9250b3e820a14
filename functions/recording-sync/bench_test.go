package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// BenchmarkPeakRSS copies 1 GiB and 4 GiB recordings through the real
// bootstrap under the emulator (a fresh function process for each size,
// default settings, 128 MB memory setting) and reports the function
// process's peak resident set size, for downloads with Content-Length and
// chunked ones ("-chunked": the size unknown until the last chunk). Run it
// with `make bench-rss`.
func BenchmarkPeakRSS(b *testing.B) {
	for _, run := range []struct {
		gib     int64
		chunked bool
	}{{1, false}, {1, true}, {4, false}, {4, true}} {
		gib, name := run.gib, fmt.Sprintf("%dGiB", run.gib)
		if run.chunked {
			name += "-chunked"
		}
		b.Run(name, func(b *testing.B) {
			size := gib << 30
			b.SetBytes(size)
			var peak int64
			for i := range b.N {
				b.StopTimer()
				st := newStack(b, stackOptions{
					timeout:  15 * time.Minute,
					extraEnv: strings.Fields(os.Getenv("BENCH_FUNCTION_ENV")),
					sim:      yeastartest.Options{ChunkedDownloads: run.chunked},
				})
				file := recordingFile(90+i, "wav")
				st.sim.AddRecording(yeastartest.Recording{ID: 90 + i, File: file, Size: size})
				b.StartTimer()
				inv := st.invoke(b, fmt.Sprintf(`{"id": %d}`, 90+i))
				b.StopTimer()
				if inv.ErrorType != "" || inv.Bytes != size {
					b.Fatalf("invocation: %s", inv.raw)
				}
				rss, err := st.lambda.FunctionPeakRSS()
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, rss)
				st.deleteObject(b, inv.Key)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
		})
	}
}
