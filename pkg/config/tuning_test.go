package config

import (
	"errors"
	"strconv"
	"testing"
)

func TestUploadFor(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		copies  int // BATCH_CONCURRENCY
		want    Upload
		wantVar string
	}{
		{"Lambda default memory", map[string]string{}, 2, Upload{8, 2}, ""},
		{"128 MB", mem(128), 2, Upload{8, 2}, ""},
		{"511 MB", mem(511), 2, Upload{8, 2}, ""},
		{"512 MB", mem(512), 2, Upload{16, 4}, ""},
		{"1769 MB, a whole vCPU", mem(1769), 2, Upload{16, 4}, ""},
		// Every copy's buffers within half the setting: fewer parts in
		// flight, then smaller parts.
		{"128 MB, one copy", mem(128), 1, Upload{8, 2}, ""},
		{"128 MB, 3 copies", mem(128), 3, Upload{8, 1}, ""},
		{"128 MB, 5 copies", mem(128), 5, Upload{6, 1}, ""},
		{"128 MB, 10 copies: S3's smallest part", mem(128), 10, Upload{5, 1}, ""},
		{"256 MB, 5 copies", mem(256), 5, Upload{8, 2}, ""},
		{"512 MB, 5 copies", mem(512), 5, Upload{16, 2}, ""},
		{"overrides", map[string]string{"UPLOAD_PART_SIZE_MIB": "32", "UPLOAD_CONCURRENCY": "3"}, 2, Upload{32, 3}, ""},
		{"overrides win over the fit", map[string]string{"UPLOAD_PART_SIZE_MIB": "5", "UPLOAD_CONCURRENCY": "5"}, 5, Upload{5, 5}, ""},
		{"part below S3's minimum", map[string]string{"UPLOAD_PART_SIZE_MIB": "4"}, 2, Upload{}, "UPLOAD_PART_SIZE_MIB"},
		{"concurrency zero", map[string]string{"UPLOAD_CONCURRENCY": "0"}, 2, Upload{}, "UPLOAD_CONCURRENCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UploadFor(lookup(tt.env), tt.copies)
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

// mem is an environment with the memory setting mb.
func mem(mb int) map[string]string {
	return map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(mb)}
}

func TestSDKUploader(t *testing.T) {
	for v, want := range map[string]bool{"": false, "true": true, "false": false, "1": true} {
		if got, err := SDKUploader(lookup(map[string]string{"UPLOAD_SDK_DEFAULT": v})); got != want || err != nil {
			t.Errorf("UPLOAD_SDK_DEFAULT=%q: %v, %v; want %v", v, got, err, want)
		}
	}
	if got, err := SDKUploader(lookup(nil)); got || err != nil {
		t.Errorf("unset: %v, %v; want false", got, err)
	}
	var ce *Error
	if _, err := SDKUploader(lookup(map[string]string{"UPLOAD_SDK_DEFAULT": "yes please"})); !errors.As(err, &ce) || ce.Var != "UPLOAD_SDK_DEFAULT" {
		t.Errorf("a bad value: %v, want an Error naming UPLOAD_SDK_DEFAULT", err)
	}
}
