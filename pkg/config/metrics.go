package config

import (
	"strings"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// Metrics returns the emitter of a function's metrics: in the namespace
// METRICS_NAMESPACE names (default metrics.DefaultNamespace), with the
// function dimension the deployed function's name (AWS_LAMBDA_FUNCTION_NAME,
// which Lambda sets; fallback is the function's own name).
func Metrics(lookup func(string) (string, bool), fallback string) (*metrics.Emitter, error) {
	ns, _ := lookup("METRICS_NAMESPACE")
	ns = strings.TrimSpace(ns)
	if ns == "" {
		ns = metrics.DefaultNamespace
	}
	name, _ := lookup("AWS_LAMBDA_FUNCTION_NAME")
	if name = strings.TrimSpace(name); name == "" {
		name = fallback
	}
	e, err := metrics.NewEmitter(ns, name)
	if err != nil {
		return nil, &Error{"METRICS_NAMESPACE", strings.TrimPrefix(err.Error(), "metrics: ")}
	}
	return e, nil
}
