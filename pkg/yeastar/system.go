package yeastar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Error codes with which firmware that lacks an endpoint answers it, besides
// HTTP 404.
const (
	CodeNoEndpoint10001 = 10001
	CodeNoEndpoint10003 = 10003
)

// ErrUnsupported marks an endpoint the PBX's firmware does not offer
// (errcode 10001 or 10003, or HTTP 404): a caller falls back and warns.
var ErrUnsupported = errors.New("the PBX's firmware does not offer this endpoint")

// SystemInfo is the answer of system/information: what the PBX is and what
// its clock says. SystemTime is the PBX's local time, written in
// DateFormat and TimeFormat; Timestamp is the same instant in Unix seconds.
type SystemInfo struct {
	DeviceName      string `json:"device_name"`
	Model           string `json:"model_name"`
	SN              string `json:"sn"`
	HardwareVersion string `json:"hardware_version"`
	FirmwareVersion string `json:"firmware_version"`
	SystemTime      string `json:"system_time"`
	UpTime          int64  `json:"up_time"` // seconds
	DateFormat      string `json:"system_date_format"`
	TimeFormat      string `json:"system_time_format"`
	Timestamp       int64  `json:"timestamp"`
}

// SystemInformation asks the PBX what it is (model, firmware) and what its
// clock says. On firmware without the endpoint the error matches
// ErrUnsupported.
func (c *Client) SystemInformation(ctx context.Context) (SystemInfo, error) {
	const op = "system/information"
	var answer struct {
		Data *SystemInfo `json:"data"`
	}
	err := c.withToken(ctx, func(token string) error {
		answer.Data = nil
		return c.call(ctx, op, url.Values{"access_token": {token}}, nil, &answer)
	})
	if err != nil {
		if unsupported(err) {
			return SystemInfo{}, fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		return SystemInfo{}, err
	}
	if answer.Data == nil {
		return SystemInfo{}, &ContentError{Op: op, ContentType: "application/json", Reason: "answer lacks data"}
	}
	return *answer.Data, nil
}

// unsupported reports whether err is how firmware without an endpoint
// answers it.
func unsupported(err error) bool {
	if code, ok := ErrorCode(err); ok {
		return code == CodeNoEndpoint10001 || code == CodeNoEndpoint10003
	}
	var httpErr *HTTPError
	return errors.As(err, &httpErr) && httpErr.StatusCode == http.StatusNotFound
}
