package main

import "testing"

func TestFailureClass(t *testing.T) {
	for _, tc := range []struct {
		name, errorType, file, msg, want string
	}{
		{
			name: "busy mp3", errorType: "RetryableError", file: "20261203-1.7-2001-2002-Internal.mp3",
			msg:  `recording id 7 file "20261203-1.7-2001-2002-Internal.mp3": get download link: yeastar recording/download: errcode 70082 (OVERLOAD_TASK_RUNNING)`,
			want: `RetryableError (.mp3): get download link: yeastar recording/download: errcode 70082 (OVERLOAD_TASK_RUNNING)`,
		},
		{
			name: "offsets go, statuses stay", errorType: "RetryableError", file: "a.wav",
			msg:  `recording file "a.wav": download: HTTP 503 after 1048576 bytes, 5 resumes`,
			want: `RetryableError (.wav): download: HTTP 503 after N bytes, N resumes`,
		},
		{
			name: "no file", errorType: "TimeoutError", file: "",
			msg:  "recording id 9: not started: context deadline exceeded",
			want: "TimeoutError (no file): not started: context deadline exceeded",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := failureClass(tc.errorType, tc.file, tc.msg); got != tc.want {
				t.Errorf("failureClass = %q, want %q", got, tc.want)
			}
		})
	}
}
