package config

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// secret is the client secret of every case: no error may contain it.
const secret = "s3cr3t-V4lue-0123456789abcdef"

// env returns a complete environment with changes applied; a change to ""
// removes the variable.
func env(changes map[string]string) map[string]string {
	e := map[string]string{
		"PBX_BASE_URL":      "https://pbx.example.com:8088",
		"PBX_CLIENT_ID":     "client-id",
		"PBX_CLIENT_SECRET": secret,
		"RECORDINGS_BUCKET": "recordings",
	}
	for k, v := range changes {
		if v == "" {
			delete(e, k)
		} else {
			e[k] = v
		}
	}
	return e
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// loadCase is one environment given to Load and what it must make of it.
type loadCase struct {
	name    string
	env     map[string]string
	want    Config
	wantVar string // the variable the *Error names; "" means success
	wantMsg string // substring of the error
}

func TestLoad(t *testing.T) {
	// loaded is what Load makes of env(nil), with change applied.
	loaded := func(change func(*Config)) Config {
		c := Config{
			PBXBaseURL: "https://pbx.example.com:8088", PBXAPIPath: "openapi/v1.0",
			ClientID: "client-id", ClientSecret: secret, Bucket: "recordings",
			KeyTemplate: mustKeys(t, recording.DefaultKeyTemplate),
		}
		if change != nil {
			change(&c)
		}
		return c
	}
	tests := []loadCase{
		{
			name: "credentials from Secrets Manager",
			env:  env(map[string]string{"PBX_CLIENT_ID": "", "PBX_CLIENT_SECRET": "", "PBX_CREDENTIALS_SECRET": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pbx"}),
			want: loaded(func(c *Config) {
				c.ClientID, c.ClientSecret = "", ""
				c.CredentialsSecret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pbx"
			}),
		},
		{
			name:    "secret and environment credentials together",
			env:     env(map[string]string{"PBX_CREDENTIALS_SECRET": "pbx"}),
			wantVar: "PBX_CREDENTIALS_SECRET",
			wantMsg: "one or the other",
		},
		{
			name:    "batch concurrency out of range",
			env:     env(map[string]string{"BATCH_CONCURRENCY": "11"}),
			wantVar: "BATCH_CONCURRENCY",
			wantMsg: "from 1 to 10",
		},
		{
			name: "batch concurrency",
			env:  env(map[string]string{"BATCH_CONCURRENCY": "3"}),
			want: loaded(func(c *Config) { c.BatchConcurrency = 3 }),
		},
		{
			name: "defaults",
			env:  env(nil),
			want: loaded(nil),
		},
		{
			name: "everything set",
			env: env(map[string]string{
				"PBX_BASE_URL":            "http://127.0.0.1:9000/",
				"PBX_ALLOW_HTTP":          "true",
				"PBX_API_PATH":            "api/v2.0.0",
				"RECORDINGS_KEY_TEMPLATE": "pbx/{id}/{file}",
				"AWS_ENDPOINT_URL_S3":     "http://127.0.0.1:7070",
			}),
			want: loaded(func(c *Config) {
				c.PBXBaseURL, c.PBXAllowHTTP, c.PBXAPIPath = "http://127.0.0.1:9000", true, "api/v2.0.0"
				c.KeyTemplate, c.S3PathStyle = mustKeys(t, "pbx/{id}/{file}"), true
			}),
		},
		{
			name: "spaces trimmed",
			env: env(map[string]string{
				"PBX_BASE_URL":      "  https://pbx.example.com//  ",
				"RECORDINGS_BUCKET": " recordings\n",
				"PBX_API_PATH":      " ",
			}),
			want: loaded(func(c *Config) { c.PBXBaseURL = "https://pbx.example.com" }),
		},
		{
			name: "blank S3 endpoint is not path style",
			env:  env(map[string]string{"AWS_ENDPOINT_URL_S3": "  "}),
			want: loaded(nil),
		},
		{
			name: "dead-letter queue",
			env:  env(map[string]string{"DEAD_LETTER_QUEUE_URL": " https://sqs.eu-west-1.amazonaws.com/123456789012/recording-sync-DeadLetterQueue "}),
			want: loaded(func(c *Config) {
				c.DeadLetterQueueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/recording-sync-DeadLetterQueue"
			}),
		},
		{
			name: "recording queue, to hand records back to",
			env:  env(map[string]string{"RECORDINGS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/recording-sync-RecordingQueue"}),
			want: loaded(func(c *Config) {
				c.QueueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/recording-sync-RecordingQueue"
			}),
		},
		{name: "empty environment", env: map[string]string{}, wantVar: "PBX_BASE_URL", wantMsg: "is required"},
		{
			name: "CA certificate as PEM text",
			env:  env(map[string]string{"PBX_CA_CERT": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}),
			want: loaded(func(c *Config) { c.PBXCACert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }),
		},
	}
	// One variable set wrong, or removed (""), fails Load with an *Error
	// naming that variable.
	for _, bad := range []struct{ name, variable, value, msg string }{
		{"dead-letter queue not a URL", "DEAD_LETTER_QUEUE_URL", "recording-sync-DeadLetterQueue", "SQS queue URL"},
		{"recording queue not a URL", "RECORDINGS_QUEUE_URL", "recording-sync-RecordingQueue", "SQS queue URL"},
		{"no base URL", "PBX_BASE_URL", "", "is required"},
		{"blank base URL", "PBX_BASE_URL", "  ", "is required"},
		{"no client id", "PBX_CLIENT_ID", "", "is required"},
		{"no client secret", "PBX_CLIENT_SECRET", "", "is required"},
		{"no bucket", "RECORDINGS_BUCKET", "", "is required"},
		{"base URL without scheme", "PBX_BASE_URL", "pbx.example.com:8088", "https://"},
		{"base URL ftp", "PBX_BASE_URL", "ftp://pbx.example.com", "https://"},
		{"base URL without host", "PBX_BASE_URL", "https:///openapi", "https://"},
		{"base URL unparsable", "PBX_BASE_URL", "http://[::1", "https://"},
		{"base URL holding the secret", "PBX_BASE_URL", "ftp://x:" + secret + "@pbx", "https://"},
		{"key template unknown placeholder", "RECORDINGS_KEY_TEMPLATE", "r/{year}/{file}", "{year}"},
		{"key template without file", "RECORDINGS_KEY_TEMPLATE", "r/{id}", "{file}"},
		{"key template leading slash", "RECORDINGS_KEY_TEMPLATE", "/r/{file}", "start with /"},
		{"token cache inside the recordings", "TOKEN_CACHE_KEY", "recordings/token.json", "outside the recordings' prefix"},
		{"token cache absolute", "TOKEN_CACHE_KEY", "/token.json", "outside"},
		{"CA certificate file missing", "PBX_CA_CERT", "/nonexistent/ca.pem", "neither PEM text nor a readable PEM file"},
		{"key template dot dot", "RECORDINGS_KEY_TEMPLATE", "r/../{file}", ".."},
	} {
		tests = append(tests, loadCase{name: bad.name, env: env(map[string]string{bad.variable: bad.value}), wantVar: bad.variable, wantMsg: bad.msg})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := maps.Clone(tt.env)
			got, err := Load(lookup(tt.env))
			if !maps.Equal(before, tt.env) {
				t.Errorf("Load changed its environment")
			}
			if tt.wantVar == "" {
				if err != nil {
					t.Fatalf("Load = %v", err)
				}
				if tt.want.TokenCacheKey == "" {
					tt.want.TokenCacheKey = DefaultTokenCacheKey
				}
				if got != tt.want {
					t.Errorf("Load = %+v,\nwant %+v", redact(got), redact(tt.want))
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %+v, %v (%T); want a *config.Error", redact(got), err, err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("Error.Var = %q, want %q", ce.Var, tt.wantVar)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantVar) || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q, want it to name %s and mention %q", msg, tt.wantVar, tt.wantMsg)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q contains the client secret", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
			if got != (Config{}) {
				t.Errorf("Load returned %+v with its error, want a zero Config", redact(got))
			}
		})
	}
}

func mustKeys(t *testing.T, s string) recording.KeyTemplate {
	t.Helper()
	k, err := recording.ParseKeyTemplate(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// redact keeps the secret out of test failure output too.
func redact(c Config) Config {
	if c.ClientSecret != "" {
		c.ClientSecret = "<redacted>"
	}
	return c
}

func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name string
		env  map[string]string
		want int64
	}{
		{"Lambda default", map[string]string{}, 128 * mib * 5 / 8},
		{"128 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, 128 * mib * 5 / 8},
		{"1769 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, 1769 * mib * 5 / 8},
		{"floor", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "32"}, 32 * mib},
		{"garbage", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "lots"}, 128 * mib * 5 / 8},
		{"zero", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "0"}, 128 * mib * 5 / 8},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "100MiB", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}, 0},
		{"GOMEMLIMIT empty", map[string]string{"GOMEMLIMIT": "", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}, 1024 * mib * 5 / 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MemoryLimit(lookup(tt.env)); got != tt.want {
				t.Errorf("MemoryLimit = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestProcs(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		cpus, want int
	}{
		{"Lambda default memory", map[string]string{}, 2, 1},
		{"128 MB", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, 2, 1},
		{"just under a vCPU", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1768"}, 2, 1},
		{"one vCPU", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, 2, 1},
		{"two vCPUs", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3538"}, 2, 2},
		{"more vCPUs than the machine shows", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, 4, 4},
		{"a single CPU", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, 1, 1},
		{"unreadable memory setting", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "lots"}, 2, 1},
		{"GOMAXPROCS set by the operator", map[string]string{"GOMAXPROCS": "2", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Procs(lookup(tt.env), tt.cpus); got != tt.want {
				t.Errorf("Procs = %d, want %d", got, tt.want)
			}
		})
	}
}
