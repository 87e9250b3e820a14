package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// maxFunctionURLBody is the largest request body a Lambda Function URL
// passes on (6 MB, the synchronous invocation payload limit).
const maxFunctionURLBody = 6 << 20

// functionURL serves a function under the emulator at a loopback HTTP
// address as its Lambda Function URL does: each request becomes a Function
// URL event (payload format 2.0) and the function's answer the response.
// It gives the demo's PBXs a URL to post to, as they post to WebhookUrl.
type functionURL struct {
	fn  invoker
	srv *http.Server
	// URL is the base URL, http://127.0.0.1:PORT, without a trailing slash.
	URL string
}

// startFunctionURL serves fn on a free loopback port until close.
func startFunctionURL(fn invoker) (*functionURL, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("function URL: %w", err)
	}
	u := &functionURL{fn: fn, URL: "http://" + ln.Addr().String()}
	u.srv = &http.Server{Handler: u, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = u.srv.Serve(ln) }() // Serve ends with ErrServerClosed at close
	return u, nil
}

func (u *functionURL) close() { _ = u.srv.Close() }

// ServeHTTP invokes the function with the request. A function that fails
// is 502, as at a Function URL.
func (u *functionURL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFunctionURLBody+1))
	switch {
	case err != nil:
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	case len(body) > maxFunctionURLBody:
		http.Error(w, "body over the Function URL limit", http.StatusRequestEntityTooLarge)
		return
	}
	payload, err := json.Marshal(functionURLEvent(r, body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	answer, err := u.fn.Invoke(r.Context(), payload)
	if err != nil {
		http.Error(w, "invoke: "+err.Error(), http.StatusBadGateway)
		return
	}
	writeFunctionURLResponse(w, answer)
}

// functionURLEvent is the event Lambda makes of r: header names in lower
// case, a body that is not UTF-8 text in base64.
func functionURLEvent(r *http.Request, body []byte) events.LambdaFunctionURLRequest {
	req := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Headers: make(map[string]string, len(r.Header)), Body: string(body),
	}
	for k, v := range r.Header {
		req.Headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if !utf8.Valid(body) {
		req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	req.RequestContext.HTTP = events.LambdaFunctionURLRequestContextHTTPDescription{
		Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: hostOf(r.RemoteAddr), UserAgent: r.UserAgent(),
	}
	return req
}

// writeFunctionURLResponse writes the function's answer as the HTTP
// response: 502 for a failed invocation ({"errorType": ...}) or an
// answer that is not a Function URL response.
func writeFunctionURLResponse(w http.ResponseWriter, answer []byte) {
	var resp struct {
		events.LambdaFunctionURLResponse
		ErrorType string `json:"errorType"`
	}
	if err := json.Unmarshal(answer, &resp); err != nil || resp.ErrorType != "" || resp.StatusCode == 0 {
		http.Error(w, "the function failed", http.StatusBadGateway)
		return
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			http.Error(w, "the function's body is not valid base64", http.StatusBadGateway)
			return
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body) // the client went away: nobody to tell
}

// hostOf is the host of a host:port address.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
