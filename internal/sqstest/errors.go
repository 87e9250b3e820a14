package sqstest

import (
	"encoding/json"
	"net/http"
)

// apiError is an error answer. Code is the error shape's name
// (com.amazonaws.sqs#Code); Query, when set, is the legacy query-protocol
// code the SDK reports instead (x-amzn-query-error), as SQS sends it.
type apiError struct {
	Code, Query, Message string
	Sender               bool
	Status               int // default 400 for the sender's faults, 500 for the server's
}

// writeError answers as SQS does.
func writeError(w http.ResponseWriter, e *apiError) {
	status := e.Status
	switch {
	case status != 0:
	case e.Sender:
		status = http.StatusBadRequest
	default:
		status = http.StatusInternalServerError
	}
	fault := "Sender"
	if !e.Sender {
		fault = "Receiver"
	}
	if e.Query != "" {
		w.Header().Set("X-Amzn-Query-Error", e.Query+";"+fault)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.sqs#" + e.Code, "message": e.Message})
	_, _ = w.Write(b) // a client that went away gets nothing more
}

func errNoQueue() *apiError {
	return &apiError{"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.", true, 0}
}

func errInvalid(msg string) *apiError {
	return &apiError{"InvalidParameterValue", "InvalidParameterValue", msg, true, 0}
}
