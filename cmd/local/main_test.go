package main

import (
	"strings"
	"testing"
)

func TestParseInvoke(t *testing.T) {
	withRegion := map[string]string{"AWS_REGION": "us-east-1"}
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		want      S3Target
		wantEvent string
		wantErr   string // substring; "" means success
	}{
		{name: "local S3", args: []string{"events/direct-id.json"}, wantEvent: "events/direct-id.json"},
		{
			name: "user's S3", args: []string{"-s3-endpoint", "http://127.0.0.1:9000", "-bucket", "rec", "events/direct-id.json"},
			env: withRegion, want: S3Target{Endpoint: "http://127.0.0.1:9000", Bucket: "rec"}, wantEvent: "events/direct-id.json",
		},
		{
			name: "region from AWS_DEFAULT_REGION", args: []string{"-s3-endpoint", "https://minio.internal", "-bucket", "rec", "e.json"},
			env: map[string]string{"AWS_DEFAULT_REGION": "eu-west-1"}, want: S3Target{Endpoint: "https://minio.internal", Bucket: "rec"}, wantEvent: "e.json",
		},
		{name: "no event", args: nil, wantErr: "usage"},
		{name: "two events", args: []string{"a.json", "b.json"}, wantErr: "usage"},
		{name: "unknown flag", args: []string{"-endpoint", "x", "a.json"}, wantErr: "usage"},
		{name: "endpoint without bucket", args: []string{"-s3-endpoint", "http://127.0.0.1:9000", "a.json"}, env: withRegion, wantErr: "go together"},
		{name: "bucket without endpoint", args: []string{"-bucket", "rec", "a.json"}, env: withRegion, wantErr: "go together"},
		{name: "endpoint not a URL", args: []string{"-s3-endpoint", "127.0.0.1:9000", "-bucket", "rec", "a.json"}, env: withRegion, wantErr: "http(s)://"},
		{name: "no region", args: []string{"-s3-endpoint", "http://127.0.0.1:9000", "-bucket", "rec", "a.json"}, wantErr: "AWS_REGION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, event, err := parseInvoke(tt.args, lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseInvoke(%q) = %v, want an error mentioning %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || event != tt.wantEvent {
				t.Errorf("parseInvoke(%q) = %+v, %q, %v; want %+v, %q", tt.args, got, event, err, tt.want, tt.wantEvent)
			}
		})
	}
}
