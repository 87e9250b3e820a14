package sqstest

import (
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// readOnlyBodyClient sends every request with a body that offers Read and
// Close only.
//
// The SDK closes a request's body once the response's headers have come,
// and its body wrapper's WriteTo then answers io.EOF. net/http, after
// sending the Content-Length bytes, reads the body once more (through
// WriteTo when offered) to check that nothing is left, and takes that
// io.EOF for a write error: it closes the connection under the response
// still being read. Against SQS across a network the answer never beats
// that last read; this server, in the same process, answers at once, so
// under load a ReceiveMessage could lose its answer after the server had
// taken its messages, which then stayed in flight for the visibility
// timeout. Through Read, a body closed early just ends (Read answers
// io.EOF, which io.Copy takes for the end).
type readOnlyBodyClient struct {
	client doer
}

// doer sends a request: *awshttp.BuildableClient, or a test's recorder.
type doer interface {
	Do(req *http.Request) (*http.Response, error)
}

var _ doer = (*awshttp.BuildableClient)(nil)

// readCloser hides every method of a body but Read and Close.
type readCloser struct{ io.ReadCloser }

// Do implements aws.HTTPClient.
func (c readOnlyBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloser{req.Body}
	}
	return c.client.Do(req)
}
