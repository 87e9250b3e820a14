package main

import "testing"

func TestS3Kind(t *testing.T) {
	for req, want := range map[string]string{
		"HEAD /recordings": "bucket HEAD",
		"HEAD /recordings/recordings/2026/12/03/a.wav":            "HeadObject",
		"PUT /recordings/recordings/2026/12/03/a.wav":             "PutObject",
		"POST /recordings/recordings/2026/12/03/a.wav?uploads":    "CreateMultipartUpload",
		"PUT /recordings/recordings/2026/12/03/a.wav?uploadId":    "UploadPart",
		"POST /recordings/recordings/2026/12/03/a.wav?uploadId":   "CompleteMultipartUpload",
		"DELETE /recordings/recordings/2026/12/03/a.wav?uploadId": "AbortMultipartUpload",
		"GET /recordings/.recording-sync/default/token":           "state GetObject",
		"PUT /recordings/.recording-sync/default/token":           "state PutObject",
	} {
		if got := s3Kind(req); got != want {
			t.Errorf("s3Kind(%q) = %q, want %q", req, got, want)
		}
	}
	n := s3Kinds([]string{"HEAD /b/k", "HEAD /b/k2", "PUT /b/k"})
	if got := formatKinds(n); got != "HeadObject 2, PutObject 1" {
		t.Errorf("formatKinds = %q", got)
	}
}
