package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// s3Kind names the S3 operation of a request the proxy recorded as
// "METHOD /bucket/key?subresource". Requests for the functions' own state
// (the shared PBX token) are counted apart from the recordings'.
func s3Kind(req string) string {
	method, target, _ := strings.Cut(req, " ")
	p, sub, _ := strings.Cut(target, "?")
	var op string
	switch {
	case strings.Count(strings.Trim(p, "/"), "/") == 0:
		op = "bucket " + method
	case method == "HEAD":
		op = "HeadObject"
	case method == "GET":
		op = "GetObject"
	case method == "PUT" && sub != "":
		op = "UploadPart" // the proxy names it by its uploadId
	case method == "PUT":
		op = "PutObject"
	case method == "POST" && sub == "uploads":
		op = "CreateMultipartUpload"
	case method == "POST" && sub == "uploadId":
		op = "CompleteMultipartUpload"
	case method == "DELETE" && sub == "uploadId":
		op = "AbortMultipartUpload"
	default:
		op = method + " " + sub
	}
	if strings.Contains(p, "/.recording-sync/") {
		op = "state " + op
	}
	return op
}

// s3Kinds counts requests by kind.
func s3Kinds(reqs []string) map[string]int {
	n := map[string]int{}
	for _, r := range reqs {
		n[s3Kind(r)]++
	}
	return n
}

// formatKinds lists counts by kind, sorted by kind.
func formatKinds(n map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}
