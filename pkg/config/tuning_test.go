package config

import (
	"errors"
	"testing"
)

func TestUploadFor(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Upload
		wantVar string
	}{
		{"Lambda default memory", map[string]string{}, Upload{8, 2}, ""},
		{"128 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, Upload{8, 2}, ""},
		{"511 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "511"}, Upload{8, 2}, ""},
		{"512 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, Upload{16, 4}, ""},
		{"1769 MB, a whole vCPU", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, Upload{16, 4}, ""},
		{"overrides", map[string]string{"UPLOAD_PART_SIZE_MIB": "32", "UPLOAD_CONCURRENCY": "3"}, Upload{32, 3}, ""},
		{"part below S3's minimum", map[string]string{"UPLOAD_PART_SIZE_MIB": "4"}, Upload{}, "UPLOAD_PART_SIZE_MIB"},
		{"concurrency zero", map[string]string{"UPLOAD_CONCURRENCY": "0"}, Upload{}, "UPLOAD_CONCURRENCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UploadFor(lookup(tt.env))
			if tt.wantVar != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Var != tt.wantVar {
					t.Fatalf("UploadFor = %v, %v; want an error naming %s", got, err, tt.wantVar)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("UploadFor = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
