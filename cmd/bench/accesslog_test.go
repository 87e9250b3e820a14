package main

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// Lines as versitygw v1.8.0 writes them (user agents shortened).
const sampleAccessLog = `log starts 2026-11-25 23:35:13.179217584 +0000 UTC m=+0.020860919
- bench [25/November/2026:23:35:14 +0000] 127.0.0.1 - P9BOZU627LKPO1BT s3_HeadObject bench/a.wav /bench/bench/a.wav 404 NotFound 0 0 0 0 - aws-sdk-go-v2/1.41 - x SigV4 - AuthHeader 127.0.0.1 - arn:aws:s3:::/bench/bench/a.wav Yes
- bench [25/November/2026:23:35:15 +0000] 127.0.0.1 - VRSGIY7Q46ZA32HR s3_CreateMultipartUpload bench/a.wav /bench/bench/a.wav?uploads 200 - 0 0 0 0 - aws-sdk-go-v2/1.41 - x SigV4 - AuthHeader 127.0.0.1 - arn:aws:s3:::/bench/bench/a.wav Yes
- bench [25/November/2026:23:35:15 +0000] 127.0.0.1 - VRSGIY7Q46ZA32HS s3_UploadPart bench/a.wav /bench/bench/a.wav?partNumber=1&uploadId=u 200 - 0 0 0 0 - aws-sdk-go-v2/1.41 - x SigV4 - AuthHeader 127.0.0.1 - arn:aws:s3:::/bench/bench/a.wav Yes
- bench [25/November/2026:23:35:15 +0000] 127.0.0.1 - VRSGIY7Q46ZA32HT s3_UploadPart bench/a.wav /bench/bench/a.wav?partNumber=2&uploadId=u 200 - 0 0 0 0 - aws-sdk-go-v2/1.41 - x SigV4 - AuthHeader 127.0.0.1 - arn:aws:s3:::/bench/bench/a.wav Yes
`

func TestCountOperations(t *testing.T) {
	got, err := countOperations(sampleAccessLog)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"HeadObject 404": 1, "CreateMultipartUpload": 1, "UploadPart": 2}
	if !maps.Equal(got, want) {
		t.Errorf("countOperations = %v, want %v", got, want)
	}
	if _, err := countOperations("- bench [25/November/2026:23:35:15 +0000] 127.0.0.1 - ID GET /x\n"); err == nil {
		t.Error("a line without an s3_ operation was counted")
	}
}

func TestAccessLogTakesOnlyNewCompleteLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	lines := []byte(sampleAccessLog)
	cut := len(lines) - 40 // the last line is still being written
	if err := os.WriteFile(path, lines[:cut], 0o600); err != nil {
		t.Fatal(err)
	}
	l := &accessLog{path: path}
	first, err := l.take()
	if err != nil {
		t.Fatal(err)
	}
	if first["UploadPart"] != 1 || first["HeadObject 404"] != 1 {
		t.Errorf("first take = %v, want the complete lines only", first)
	}
	if err := os.WriteFile(path, lines, 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := l.take()
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"UploadPart": 1}; !maps.Equal(second, want) {
		t.Errorf("second take = %v, want %v", second, want)
	}
}
