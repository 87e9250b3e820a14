package sqstest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// sdkBody behaves as the SDK's request body: once closed, its WriteTo
// answers io.EOF.
type sdkBody struct {
	r      *bytes.Reader
	closed bool
}

func (b *sdkBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *sdkBody) WriteTo(w io.Writer) (int64, error) {
	if b.closed {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *sdkBody) Close() error { b.closed = true; return nil }

// recorder keeps the request it is asked to send.
type recorder struct{ req *http.Request }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.req = req
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// TestClientBodyEndsQuietlyOnceClosed checks what net/http's last read of a
// sent request body sees when the SDK has closed it after the answer came:
// the end of the body, not an error that would close the connection under
// the answer.
func TestClientBodyEndsQuietlyOnceClosed(t *testing.T) {
	rec := &recorder{}
	body := &sdkBody{r: bytes.NewReader([]byte(`{"QueueUrl":"q"}`))}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (readOnlyBodyClient{rec}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sent := rec.req.Body
	var got strings.Builder
	if _, err := io.CopyN(&got, sent, int64(body.r.Len())); err != nil || got.String() != `{"QueueUrl":"q"}` {
		t.Fatalf("sent %q, %v", got.String(), err)
	}
	if err := body.Close(); err != nil { // the SDK, once the answer's headers came
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, sent); err != nil {
		t.Errorf("last read of the closed body = %v, want its end (net/http would close the connection: %v)", err, errors.Is(err, io.EOF))
	}
}
