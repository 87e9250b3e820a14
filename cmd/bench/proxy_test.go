package main

import (
	"net/http/httptest"
	"testing"
)

func TestS3Operation(t *testing.T) {
	tests := []struct {
		method, target, want string
	}{
		{"PUT", "/bench/k.wav?x-id=PutObject", "PutObject"},
		{"PUT", "/bench/k.wav", "PutObject"},
		{"PUT", "/bench/k.wav?partNumber=2&uploadId=u", "UploadPart"},
		{"POST", "/bench/k.wav?uploads", "CreateMultipartUpload"},
		{"POST", "/bench/k.wav?uploadId=u", "CompleteMultipartUpload"},
		{"DELETE", "/bench/k.wav?uploadId=u", "AbortMultipartUpload"},
		{"DELETE", "/bench/k.wav", "DeleteObject"},
		{"HEAD", "/bench/k.wav", "HeadObject"},
		{"GET", "/bench/k.wav", "GetObject"},
		{"GET", "/bench/k.wav?uploadId=u", "ListParts"},
		{"GET", "/bench?list-type=2", "ListObjectsV2"},
		{"PUT", "/bench", "PUT bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			if got := s3Operation(httptest.NewRequest(tt.method, tt.target, nil)); got != tt.want {
				t.Errorf("s3Operation = %q, want %q", got, tt.want)
			}
		})
	}
}
