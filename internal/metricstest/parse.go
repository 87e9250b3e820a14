// Package metricstest reads the functions' metric lines back, for the tests
// and the demo, and checks each against the CloudWatch Embedded Metric
// Format specification; it keeps its own copy of the wire shapes.
package metricstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// awsKey is the member that makes a log line an EMF record.
const awsKey = "_aws"

// definition is a metric's definition in a directive. The parser keeps
// its own copy of the wire shapes, so that it checks the emitter's output
// rather than sharing its mistakes.
type definition struct {
	Name              string       `json:"Name"`
	Unit              metrics.Unit `json:"Unit,omitempty"`
	StorageResolution int          `json:"StorageResolution,omitempty"`
}

// Limits of the EMF specification.
const (
	maxMetricsPerDirective = 100
	maxDimensionsPerSet    = 30
	maxValuesPerMetric     = 100
	maxDimensionValue      = 1024
)

// units are the units CloudWatch accepts.
var units = []metrics.Unit{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None",
}

// Datum is one metric value CloudWatch would extract from a line: a
// metric, under one of its directive's dimension sets.
type Datum struct {
	Namespace  string
	Dimensions map[string]string
	Name       string
	Unit       metrics.Unit
	Values     []float64
}

// Sum is the datum's values added up.
func (d Datum) Sum() float64 {
	var s float64
	for _, v := range d.Values {
		s += v
	}
	return s
}

// Parse reads one log line. A line that is not a JSON object with an _aws
// member is not an EMF record: Parse returns no data and no error. A line
// with one must follow the EMF specification in full, or Parse says what
// is wrong with it.
func Parse(line []byte) ([]Datum, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return nil, nil
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(line, &root); err != nil {
		if bytes.Contains(line, []byte(`"`+awsKey+`"`)) {
			// CloudWatch would keep it as text: its metrics would be lost.
			return nil, fmt.Errorf("emf: a line with %s is not a JSON object: %w", awsKey, err)
		}
		return nil, nil // not an EMF record
	}
	raw, ok := root[awsKey]
	if !ok {
		return nil, nil
	}
	var meta struct {
		Timestamp         *json.Number       `json:"Timestamp"`
		CloudWatchMetrics *[]json.RawMessage `json:"CloudWatchMetrics"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("emf: _aws is not an object: %w", err)
	}
	if meta.Timestamp == nil {
		return nil, errors.New("emf: _aws.Timestamp is missing")
	}
	if ms, err := meta.Timestamp.Int64(); err != nil || ms < 0 {
		return nil, fmt.Errorf("emf: _aws.Timestamp %s is not milliseconds since the epoch", *meta.Timestamp)
	}
	if meta.CloudWatchMetrics == nil {
		return nil, errors.New("emf: _aws.CloudWatchMetrics is missing")
	}
	var data []Datum
	for i, d := range *meta.CloudWatchMetrics {
		got, err := parseDirective(root, d)
		if err != nil {
			return nil, fmt.Errorf("emf: CloudWatchMetrics[%d]: %w", i, err)
		}
		data = append(data, got...)
	}
	return data, nil
}

// parseDirective checks one MetricDirective against the root's members
// and returns its data.
func parseDirective(root map[string]json.RawMessage, raw json.RawMessage) ([]Datum, error) {
	var d struct {
		Namespace  *string       `json:"Namespace"`
		Dimensions *[][]string   `json:"Dimensions"`
		Metrics    *[]definition `json:"Metrics"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("not a directive: %w", err)
	}
	switch {
	case d.Namespace == nil || metrics.ValidNamespace(*d.Namespace) != nil:
		return nil, errors.New("the Namespace is missing or invalid")
	case d.Dimensions == nil:
		return nil, errors.New("the Dimensions are missing")
	case d.Metrics == nil:
		return nil, errors.New("the Metrics are missing")
	case len(*d.Metrics) > maxMetricsPerDirective:
		return nil, fmt.Errorf("%d metrics, at most %d allowed", len(*d.Metrics), maxMetricsPerDirective)
	}
	sets, err := dimensionSets(root, *d.Dimensions)
	if err != nil {
		return nil, err
	}
	var data []Datum
	for _, m := range *d.Metrics {
		values, err := metricValues(root, m)
		if err != nil {
			return nil, err
		}
		for _, dims := range sets {
			data = append(data, Datum{Namespace: *d.Namespace, Dimensions: dims, Name: m.Name, Unit: m.Unit, Values: values})
		}
	}
	return data, nil
}

// dimensionSets resolves each dimension set's names to the root's string
// members.
func dimensionSets(root map[string]json.RawMessage, sets [][]string) ([]map[string]string, error) {
	out := make([]map[string]string, 0, len(sets))
	for _, set := range sets {
		if len(set) > maxDimensionsPerSet {
			return nil, fmt.Errorf("a dimension set of %d, at most %d allowed", len(set), maxDimensionsPerSet)
		}
		dims := make(map[string]string, len(set))
		for _, name := range set {
			var v string
			if json.Unmarshal(root[name], &v) != nil {
				return nil, fmt.Errorf("dimension %q is not a string member of the line", name)
			}
			if v == "" || len(v) > maxDimensionValue {
				return nil, fmt.Errorf("dimension %q: value of %d characters", name, len(v))
			}
			dims[name] = v
		}
		out = append(out, dims)
	}
	return out, nil
}

// metricValues checks one MetricDefinition and returns its values: the
// root member it names, a number or an array of numbers.
func metricValues(root map[string]json.RawMessage, m definition) ([]float64, error) {
	switch {
	case m.Name == "" || len(m.Name) > 255:
		return nil, fmt.Errorf("metric name %q: 1 to 255 characters", m.Name)
	case m.Unit != "" && !slices.Contains(units, m.Unit):
		return nil, fmt.Errorf("metric %s: unit %q is not a CloudWatch unit", m.Name, m.Unit)
	case m.StorageResolution != 0 && m.StorageResolution != 1 && m.StorageResolution != 60:
		return nil, fmt.Errorf("metric %s: StorageResolution %d is not 1 or 60", m.Name, m.StorageResolution)
	}
	member, ok := root[m.Name]
	if !ok {
		return nil, fmt.Errorf("metric %s has no member on the line", m.Name)
	}
	var one float64
	if json.Unmarshal(member, &one) == nil {
		return []float64{one}, nil
	}
	var many []float64
	if json.Unmarshal(member, &many) != nil || len(many) == 0 || len(many) > maxValuesPerMetric {
		return nil, fmt.Errorf("metric %s: value is not a number or 1 to %d numbers", m.Name, maxValuesPerMetric)
	}
	return many, nil
}

// Totals adds up data by series: namespace, metric and dimensions.
type Totals map[Series]float64

// Series names one CloudWatch metric: its namespace, name and dimensions.
type Series struct {
	Namespace  string
	Name       string
	Dimensions string // "k=v" pairs sorted by k, joined by ","
}

// SeriesOf is the series of d.
func SeriesOf(d Datum) Series {
	pairs := make([]string, 0, len(d.Dimensions))
	for k, v := range d.Dimensions {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return Series{Namespace: d.Namespace, Name: d.Name, Dimensions: strings.Join(pairs, ",")}
}

// Add adds data to t.
func (t Totals) Add(data ...Datum) {
	for _, d := range data {
		t[SeriesOf(d)] += d.Sum()
	}
}

// Get is the total of the metric named name in namespace with exactly the
// dimensions dims, given as "k=v" pairs.
func (t Totals) Get(namespace, name string, dims ...string) float64 {
	pairs := slices.Clone(dims)
	sort.Strings(pairs)
	return t[Series{Namespace: namespace, Name: name, Dimensions: strings.Join(pairs, ",")}]
}

// ParseLog parses every line of a function's output: the totals of its
// metrics and the lines that carry them. It fails at the first line that
// has an _aws member but is not valid EMF.
func ParseLog(out string) (Totals, []string, error) {
	totals := Totals{}
	var carriers []string
	for line := range strings.Lines(out) {
		data, err := Parse([]byte(line))
		if err != nil {
			return nil, nil, fmt.Errorf("%w, in %s", err, line)
		}
		if len(data) > 0 {
			carriers = append(carriers, line)
		}
		totals.Add(data...)
	}
	return totals, carriers, nil
}
