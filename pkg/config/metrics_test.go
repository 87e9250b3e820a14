package config_test

import (
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/config"
)

func TestMetrics(t *testing.T) {
	env := func(kv map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
	}
	if _, err := config.Metrics(env(nil), "recording-sync"); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if _, err := config.Metrics(env(map[string]string{"METRICS_NAMESPACE": "CallCentre/Recordings", "AWS_LAMBDA_FUNCTION_NAME": "s-recording-sync"}), "recording-sync"); err != nil {
		t.Errorf("set: %v", err)
	}
	_, err := config.Metrics(env(map[string]string{"METRICS_NAMESPACE": "AWS/Lambda"}), "recording-sync")
	if err == nil || !strings.Contains(err.Error(), "METRICS_NAMESPACE") || strings.Contains(err.Error(), "metrics: ") {
		t.Errorf("AWS/ namespace: %v", err)
	}
}
