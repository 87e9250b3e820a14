package secretstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/recording-sync/recording-sync/internal/fault"
)

// Region is the region Env gives the SDK.
const Region = "us-east-1"

// arnSuffix stands for the six random characters Secrets Manager adds to
// a secret's name in its ARN.
const arnSuffix = "-AbCdEf"

// Server is a running Secrets Manager endpoint.
type Server struct {
	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]*string // by name; nil: created without a value
	reads   map[string]int     // GetSecretValue requests, by name
	lists   int                // ListSecrets requests

	fails fault.List[string] // FailWith: the error code every request fails with
}

// New starts a server on a loopback port; Close stops it.
func New() *Server {
	s := &Server{secrets: map[string]*string{}, reads: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the endpoint, for AWS_ENDPOINT_URL_SECRETS_MANAGER.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Env is the environment that points a function's SDK at the server.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + s.URL()}
}

// Create makes secret id without a value, as create-secret without
// --secret-string does: reading it fails until Put.
func (s *Server) Create(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.secrets[id]; !ok {
		s.secrets[id] = nil
	}
}

// Put stores value as secret id's current version.
func (s *Server) Put(id, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[id] = &value
}

// Delete removes secret id, as delete-secret does once its recovery
// window is over (a secret scheduled for deletion is not listed either).
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, id)
}

// Reads is how many GetSecretValue requests named id (by name or ARN).
func (s *Server) Reads(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[id]
}

// Lists is how many ListSecrets requests were served or failed.
func (s *Server) Lists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

// FailWith makes every request fail with the AWS error code (e.g.
// "InternalServiceError") until called with ""; Failures counts them.
func (s *Server) FailWith(code string) {
	s.fails.Disarm()
	if code != "" {
		s.fails.Arm("", fault.Every, code)
	}
}

// Failures is how many requests FailWith failed.
func (s *Server) Failures() int { return s.fails.Total() }

// ARN is the ARN the server gives secret name.
func ARN(name string) string {
	return "arn:aws:secretsmanager:" + Region + ":000000000000:secret:" + name + arnSuffix
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(w, "UnknownOperationException", "only signed requests are served")
		return
	}
	s.mu.Lock()
	if target == "secretsmanager.ListSecrets" {
		s.lists++
	}
	s.mu.Unlock()
	if code, ok := s.fails.Take(""); ok {
		fail(w, code, "injected failure")
		return
	}
	switch target {
	case "secretsmanager.GetSecretValue":
		s.getSecretValue(w, r)
	case "secretsmanager.ListSecrets":
		s.listSecrets(w, r)
	default:
		fail(w, "UnknownOperationException", "only GetSecretValue and ListSecrets are served")
	}
}

func (s *Server) getSecretValue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SecretID     string `json:"SecretId"`
		VersionStage string `json:"VersionStage"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SecretID == "" {
		fail(w, "InvalidParameterException", "SecretId is required")
		return
	}
	name := in.SecretID
	if rest, ok := strings.CutPrefix(name, strings.TrimSuffix(ARN(""), arnSuffix)); ok {
		name = strings.TrimSuffix(rest, arnSuffix)
	}
	s.mu.Lock()
	s.reads[name]++
	value, ok := s.secrets[name]
	s.mu.Unlock()
	switch {
	case !ok:
		fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	case value == nil:
		fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
		return
	}
	answer(w, map[string]any{
		"ARN":           ARN(name),
		"Name":          name,
		"SecretString":  *value,
		"VersionId":     "00000000-0000-4000-8000-000000000001",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   1.7e9,
	})
}

// answer writes a successful AWS JSON protocol answer.
func answer(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(body) // the client has gone if this fails
}

// fail answers an AWS JSON protocol error.
func fail(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": message}) // the client has gone if this fails
}
