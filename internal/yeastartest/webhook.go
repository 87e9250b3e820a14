package yeastartest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// WebhookSignature is the X-Signature the PBX sends with a webhook request:
// the standard, padded Base64 of HMAC-SHA256 over the raw body, keyed with
// the webhook's secret (the 32 characters the PBX shows for the webhook).
// It is computed here on its own, as the PBX does, so that the receiver's
// verification is not checked against itself.
func WebhookSignature(body []byte, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// CDR is the msg of a 30012 ("New CDR") event: what the PBX says about a
// call when it ends.
type CDR struct {
	CallID       string `json:"call_id"`
	TimeStart    string `json:"time_start"`
	CallFrom     string `json:"call_from"`
	CallTo       string `json:"call_to"`
	CallDuration int    `json:"call_duration"`
	TalkDuration int    `json:"talk_duration"`
	Status       string `json:"status"`
	Type         string `json:"type"`
	Recording    string `json:"recording"`
}

// CDRFor describes the call a recording file belongs to, from its name,
// <YYYYMMDDhhmmss>-<call id>-<from>-<to>-<type>.<ext>, as the PBX names them.
// Parts a name lacks are left empty.
func CDRFor(file string) CDR {
	cdr := CDR{Recording: file, Status: "ANSWERED", CallDuration: 37, TalkDuration: 31}
	parts := strings.Split(strings.TrimSuffix(file, file[strings.LastIndexByte(file, '.')+1:]), "-")
	if ts := parts[0]; len(ts) == 14 {
		cdr.TimeStart = ts[0:4] + "-" + ts[4:6] + "-" + ts[6:8] + " " + ts[8:10] + ":" + ts[10:12] + ":" + ts[12:14]
	}
	field := func(i int) string {
		if i < len(parts) {
			return strings.TrimSuffix(parts[i], ".")
		}
		return ""
	}
	cdr.CallID, cdr.CallFrom, cdr.CallTo, cdr.Type = field(1), field(2), field(3), field(4)
	return cdr
}

// NewCDREvent is the body of a 30012 webhook request, as the PBX of serial
// number sn pushes it: msg is the CDR as a JSON-encoded string.
func NewCDREvent(sn string, cdr CDR) ([]byte, error) {
	msg, err := marshal(cdr)
	if err != nil {
		return nil, err
	}
	return marshal(struct {
		Type int    `json:"type"`
		SN   string `json:"sn"`
		Msg  string `json:"msg"`
	}{30012, sn, string(msg)})
}

// WebhookInvocation is the invocation a Function URL makes of the PBX's
// signed POST of body to the URL's root: what the webhook function receives.
func WebhookInvocation(body []byte, secret string) ([]byte, error) {
	req := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/", Body: string(body), Headers: map[string]string{
		"content-type": "application/json", "x-signature": WebhookSignature(body, secret),
	}}
	req.RequestContext.HTTP.Method = http.MethodPost
	return json.Marshal(req)
}

// marshal encodes v as the PBX does, without escaping <, > and & (caller
// names such as "Evelyn<5566>" travel as they are).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// PostEvent sends body to url as the PBX's webhook does (POST, JSON,
// X-Signature) and returns the answer's status and (at most 4 KiB of) body.
func PostEvent(ctx context.Context, client *http.Client, url string, body []byte, secret string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature", WebhookSignature(body, secret))
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("post event: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, string(answer), err
}
