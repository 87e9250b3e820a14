package pbxsecret_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

// fakeSecretsManager speaks the Secrets Manager JSON protocol
// (X-Amz-Target: secretsmanager.GetSecretValue) for one secret; the value
// "denied" answers AccessDeniedException instead.
func fakeSecretsManager(t *testing.T, name, value string, calls *int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		var in struct {
			SecretID string `json:"SecretId"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if value == "denied" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"AccessDeniedException","Message":"User is not authorized to perform: secretsmanager:GetSecretValue"}`))
			return
		}
		if in.SecretID != name {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name, "Name": name, "SecretString": value})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func client(url string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestLoad(t *testing.T) {
	const secretValue = "s3cr3t-value-do-not-print"
	cases := []struct {
		name, stored, ask, wantErr string
	}{
		{"valid", `{"client_id":"abc","client_secret":"` + secretValue + `"}`, "pbx", ""},
		{"missing secret field", `{"client_id":"abc"}`, "pbx", "client_id and client_secret are both required"},
		{"not JSON", `client_secret=` + secretValue, "pbx", "not JSON with client_id and client_secret"},
		{"unknown secret", `{}`, "other", "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			srv := fakeSecretsManager(t, "pbx", tc.stored, &calls)
			creds, err := pbxsecret.Load(t.Context(), client(srv.URL), tc.ask)
			if calls != 1 {
				t.Errorf("%d requests to Secrets Manager, want 1", calls)
			}
			if tc.wantErr == "" {
				if err != nil || creds.ClientID != "abc" || creds.ClientSecret != secretValue {
					t.Fatalf("Load = %+v, %v", creds.ClientID, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secretValue) {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
}
