package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// metricsLog reads the EMF metrics back from the functions' log lines, as
// CloudWatch would, and adds them up for the demo's summary: the figures
// the dashboard shows for the same runs.
type metricsLog struct {
	mu     sync.Mutex
	series map[metricstest.Series]*seriesStats
	units  map[string]metrics.Unit
	bad    []string // lines CloudWatch would refuse
}

// seriesStats is what the summary shows of one series.
type seriesStats struct {
	n        int
	sum, max float64
}

func newMetricsLog() *metricsLog {
	return &metricsLog{series: map[metricstest.Series]*seriesStats{}, units: map[string]metrics.Unit{}}
}

// add reads one log line; a nil metricsLog ignores it.
func (m *metricsLog) add(line []byte) {
	if m == nil {
		return
	}
	data, err := metricstest.Parse(line)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.bad = append(m.bad, err.Error())
		return
	}
	for _, d := range data {
		s := m.series[metricstest.SeriesOf(d)]
		if s == nil {
			s = &seriesStats{max: d.Values[0]}
			m.series[metricstest.SeriesOf(d)] = s
		}
		for _, v := range d.Values {
			s.n++
			s.sum += v
			s.max = max(s.max, v)
		}
		m.units[d.Name] = d.Unit
	}
}

// print writes the summary: per function, each metric's total (counts and
// bytes) or its count, average and maximum (durations), failures by
// errorType. It fails when a line was not valid EMF.
func (m *metricsLog) print(out io.Writer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("\nMetrics the functions emitted (CloudWatch EMF, read back from their log lines):\n")
	keys := make([]metricstest.Series, 0, len(m.series))
	for k := range m.series {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return seriesLess(keys[i], keys[j]) })
	function := ""
	for _, k := range keys {
		fn, rest := splitDimensions(k)
		if fn != function {
			function = fn
			fmt.Fprintf(&b, "  %s  (namespace %s, function=%s)\n", catalogFunction(k.Name), k.Namespace, fn)
		}
		name := k.Name
		if len(rest) > 0 {
			name = "  " + strings.Join(rest, ",") // the per-errorType series
		}
		fmt.Fprintf(&b, "    %-34s %s\n", name, m.format(k))
	}
	if len(keys) == 0 {
		b.WriteString("  (none)\n")
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return err
	}
	if len(m.bad) > 0 {
		return fmt.Errorf("%d metric lines are not valid EMF, the first: %s", len(m.bad), m.bad[0])
	}
	return nil
}

// format renders one series by its unit.
func (m *metricsLog) format(k metricstest.Series) string {
	s := m.series[k]
	switch unit := m.units[k.Name]; unit {
	case metrics.Milliseconds, metrics.Seconds:
		return fmt.Sprintf("%d values, average %.3g %s, maximum %.3g %s", s.n, s.sum/float64(s.n), unit, s.max, unit)
	case metrics.Bytes:
		return fmt.Sprintf("%.0f bytes", s.sum)
	default:
		return fmt.Sprintf("%.0f", s.sum)
	}
}

// seriesLess orders series by function, then catalog order, the
// per-errorType series after their total.
func seriesLess(a, b metricstest.Series) bool {
	fa, ra := splitDimensions(a)
	fb, rb := splitDimensions(b)
	if fa != fb {
		return fa < fb
	}
	if ia, ib := catalogIndex(a.Name), catalogIndex(b.Name); ia != ib {
		return ia < ib
	}
	return strings.Join(ra, ",") < strings.Join(rb, ",")
}

// splitDimensions returns the series' function and its other "k=v"
// dimensions.
func splitDimensions(k metricstest.Series) (function string, rest []string) {
	for _, pair := range strings.Split(k.Dimensions, ",") {
		if v, ok := strings.CutPrefix(pair, metrics.DimFunction+"="); ok {
			function = v
		} else if pair != "" {
			rest = append(rest, pair)
		}
	}
	return function, rest
}

func catalogIndex(name string) int {
	for i, m := range metrics.Catalog {
		if m.Name == name {
			return i
		}
	}
	return len(metrics.Catalog)
}

// catalogFunction is the function that emits the metric, by the catalog.
func catalogFunction(name string) string {
	if m, ok := metrics.Lookup(name); ok {
		return m.Function
	}
	return "?"
}

// matches checks the copy function's metrics against the bucket the demo
// started empty: every recording in it was copied once, with its bytes.
func (m *metricsLog) matches(out io.Writer, in stored) error {
	m.mu.Lock()
	var copied, bytes float64
	for k, s := range m.series {
		if _, rest := splitDimensions(k); len(rest) > 0 {
			continue // a per-errorType series
		}
		switch k.Name {
		case metrics.RecordingsCopied.Name:
			copied += s.sum
		case metrics.BytesCopied.Name:
			bytes += s.sum
		}
	}
	m.mu.Unlock()
	if int(copied) != in.recordings || int64(bytes) != in.bytes {
		return fmt.Errorf("the metrics say %.0f recordings (%.0f bytes) copied, the bucket holds %d (%d bytes)", copied, bytes, in.recordings, in.bytes)
	}
	_, err := fmt.Fprintf(out, "  The bucket agrees: %d recordings, %d bytes, as RecordingsCopied and BytesCopied say.\n", in.recordings, in.bytes)
	return err
}
