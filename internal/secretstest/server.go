package secretstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Region is the region Env gives the SDK.
const Region = "us-east-1"

// Server is a running Secrets Manager endpoint.
type Server struct {
	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]*string // by SecretId; nil: created without a value
	reads   map[string]int     // GetSecretValue requests, by SecretId
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

// Reads is how many GetSecretValue requests named id.
func (s *Server) Reads(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[id]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(w, "UnknownOperationException", "only signed GetSecretValue requests are served")
		return
	}
	var in struct {
		SecretID     string `json:"SecretId"`
		VersionStage string `json:"VersionStage"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SecretID == "" {
		fail(w, "InvalidParameterException", "SecretId is required")
		return
	}
	s.mu.Lock()
	s.reads[in.SecretID]++
	value, ok := s.secrets[in.SecretID]
	s.mu.Unlock()
	switch {
	case !ok:
		fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	case value == nil:
		fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{ // the client has gone if this fails
		"ARN":           "arn:aws:secretsmanager:" + Region + ":000000000000:secret:" + in.SecretID + "-AbCdEf",
		"Name":          in.SecretID,
		"SecretString":  *value,
		"VersionId":     "00000000-0000-4000-8000-000000000001",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   1.7e9,
	})
}

// fail answers an AWS JSON protocol error.
func fail(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": message}) // the client has gone if this fails
}
