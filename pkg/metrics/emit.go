package metrics

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Emitter adds metrics to log lines, in one namespace, for one function.
// A nil *Emitter emits nothing: tests and tools that need no metrics pass
// nil.
type Emitter struct {
	namespace string
	function  string
	now       func() time.Time
}

// NewEmitter returns an Emitter for the function named function (the
// deployed function's name, the dimension's value) in namespace. The
// namespace follows CloudWatch's rules: 1 to 255 characters of letters,
// digits and . - _ / # : and space, not starting with "AWS/".
func NewEmitter(namespace, function string) (*Emitter, error) {
	if err := ValidNamespace(namespace); err != nil {
		return nil, err
	}
	if function == "" || len(function) > maxDimensionValue {
		return nil, fmt.Errorf("metrics: function name must be 1 to %d characters", maxDimensionValue)
	}
	return &Emitter{namespace: namespace, function: function, now: time.Now}, nil
}

// ValidNamespace checks ns against CloudWatch's rule for a namespace.
func ValidNamespace(ns string) error {
	if ns == "" || len(ns) > 255 {
		return fmt.Errorf("metrics: namespace must be 1 to 255 characters, got %d", len(ns))
	}
	if strings.HasPrefix(ns, "AWS/") {
		return fmt.Errorf("metrics: namespace %q: AWS/ is reserved for AWS services", ns)
	}
	for _, c := range ns {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_/#: ", c)
		if !ok {
			return fmt.Errorf("metrics: namespace %q: character %q is not allowed", ns, c)
		}
	}
	return nil
}

// Value is one metric's value on a line.
type Value struct {
	Metric Metric
	Value  float64
}

// V is Value{m, v}.
func V(m Metric, v float64) Value { return Value{Metric: m, Value: v} }

// Attrs returns the slog attributes that make a JSON log line carry vals
// as EMF metrics: the _aws directive, the function and one member per
// value. Append them to the line's other attributes. When errorType is not
// empty, the ByErrorType metrics among vals are published per errorType
// too: the dimension's value is the line's own errorType member, which a
// failure's line carries whether metrics are on or not
// (lambdafn.ErrorAttrs), so errorType must be what that member says. It
// returns nil on a nil Emitter or without values.
func (e *Emitter) Attrs(errorType string, vals ...Value) []any {
	if e == nil || len(vals) == 0 {
		return nil
	}
	var plain, byType []definition
	attrs := make([]any, 0, len(vals)+3)
	for _, v := range vals {
		d := definition{Name: v.Metric.Name, Unit: v.Metric.Unit}
		if v.Metric.ByErrorType && errorType != "" {
			byType = append(byType, d)
		} else {
			plain = append(plain, d)
		}
		attrs = append(attrs, slog.Float64(v.Metric.Name, v.Value))
	}
	var directives []directive
	if len(plain) > 0 {
		directives = append(directives, directive{Namespace: e.namespace, Dimensions: [][]string{{DimFunction}}, Metrics: plain})
	}
	if len(byType) > 0 {
		directives = append(directives, directive{
			Namespace:  e.namespace,
			Dimensions: [][]string{{DimFunction}, {DimFunction, DimErrorType}},
			Metrics:    byType,
		})
	}
	// Only names, units and numbers: marshalling cannot fail.
	raw, _ := json.Marshal(metadata{Timestamp: e.now().UnixMilli(), CloudWatchMetrics: directives})
	return append(attrs, slog.Any(awsKey, json.RawMessage(raw)), slog.String(DimFunction, e.function))
}

// AttrsBy returns the slog attributes that publish vals for one part of
// what the function's own line counts in total (a PBX): with the
// dimensions function and name, whose value is this line's name member,
// and not with function alone, so that the totals are not counted twice.
// It returns nil on a nil Emitter, without values, or with a value that is
// not a dimension's.
func (e *Emitter) AttrsBy(name, value string, vals ...Value) []any {
	if e == nil || len(vals) == 0 || value == "" || len(value) > maxDimensionValue {
		return nil
	}
	defs := make([]definition, len(vals))
	attrs := make([]any, 0, len(vals)+3)
	for i, v := range vals {
		defs[i] = definition{Name: v.Metric.Name, Unit: v.Metric.Unit}
		attrs = append(attrs, slog.Float64(v.Metric.Name, v.Value))
	}
	d := directive{Namespace: e.namespace, Dimensions: [][]string{{DimFunction, name}}, Metrics: defs}
	// Only names, units and numbers: marshalling cannot fail.
	raw, _ := json.Marshal(metadata{Timestamp: e.now().UnixMilli(), CloudWatchMetrics: []directive{d}})
	return append(attrs, slog.Any(awsKey, json.RawMessage(raw)), slog.String(DimFunction, e.function), slog.String(name, value))
}

// maxDimensionValue is EMF's limit on a dimension value's length.
const maxDimensionValue = 1024

// awsKey is the member that makes a log line an EMF record.
const awsKey = "_aws"

// metadata is the _aws member of an EMF line.
type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// directive is one MetricDirective: metrics published with every one of
// its dimension sets.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is one MetricDefinition.
type definition struct {
	Name              string `json:"Name"`
	Unit              Unit   `json:"Unit,omitempty"`
	StorageResolution int    `json:"StorageResolution,omitempty"`
}
