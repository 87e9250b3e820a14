package copier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"testing/synctest"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// s3Answer is an S3 error answer wrapped as the SDK wraps it: an
// OperationError around the HTTP ResponseError around the decoded
// smithy.GenericAPIError (Code "Forbidden" for a bodiless 403 to a HEAD).
func s3Answer(op string, status int, code, msg string) error {
	return &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: op,
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err:      &smithy.GenericAPIError{Code: code, Message: msg},
			},
			RequestID: "4442587FB7D0A2F9",
		},
	}
}

// viaTokenCache wraps err as a failed token-cache Load reaches the copier:
// through the token source, the PBX client and the link request.
func viaTokenCache(err error) error {
	err = fmt.Errorf("tokencache: load s3://b/.recording-sync/pbx-token.json: %w", err)
	return fmt.Errorf("get download link: %w", fmt.Errorf("access token: %w", err))
}

func TestClassifyS3AndDownloadAnswers(t *testing.T) {
	upload := func(err error) error { return fmt.Errorf("s3 upload b/k: %w", err) }
	head := func(err error) error { return fmt.Errorf("s3 head b/k: %w", err) }
	tests := []struct {
		name string
		err  error
		want class
	}{
		{"AccessDenied on PutObject", upload(s3Answer("PutObject", 403, "AccessDenied", "Access Denied")), permanent},
		{"AccessDenied on the token cache's Load", viaTokenCache(s3Answer("GetObject", 403, "AccessDenied", "Access Denied")), permanent},
		{"bare 403 on HeadObject", head(s3Answer("HeadObject", 403, "Forbidden", "Forbidden")), permanent},
		{"bare 403 on HeadBucket", head(fmt.Errorf("head bucket: %w", s3Answer("HeadBucket", 403, "Forbidden", "Forbidden"))), permanent},
		{"InvalidAccessKeyId", upload(s3Answer("PutObject", 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")), permanent},
		{"SignatureDoesNotMatch", viaTokenCache(s3Answer("GetObject", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")), permanent},
		{"KMS access denied", upload(s3Answer("CreateMultipartUpload", 403, "AccessDenied",
			"User: arn:aws:sts::123456789012:assumed-role/fn is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:123456789012:key/k")), permanent},
		{"KMS key disabled", upload(s3Answer("PutObject", 400, "KMS.DisabledException", "arn:aws:kms:eu-west-1:123456789012:key/k is disabled.")), permanent},
		{"KMS key not found", upload(s3Answer("PutObject", 400, "KMS.NotFoundException", "Invalid keyId k")), permanent},
		{"KMS key pending deletion", upload(s3Answer("UploadPart", 400, "KMS.KMSInvalidStateException", "k is pending deletion.")), permanent},
		{"KMS throttled", upload(s3Answer("PutObject", 400, "KMS.ThrottlingException", "Rate exceeded")), retryable},
		{"NoSuchBucket on the token cache's Load", viaTokenCache(s3Answer("GetObject", 404, "NoSuchBucket", "The specified bucket does not exist")), permanent},
		{"NoSuchBucket on PutObject", upload(s3Answer("PutObject", 404, "NoSuchBucket", "The specified bucket does not exist")), permanent},
		{"NoSuchBucket joined with an abort error", upload(errors.Join(s3Answer("UploadPart", 404, "NoSuchBucket", "gone"), errors.New("abort multipart upload: boom"))), permanent},
		{"a missing bucket already named by s3store", head(s3store.ErrNoSuchBucket), permanent},
		{"clock skew is not a denial", upload(s3Answer("PutObject", 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")), retryable},
		{"SlowDown", upload(s3Answer("PutObject", 503, "SlowDown", "Please reduce your request rate.")), retryable},
		{"InternalError", upload(s3Answer("UploadPart", 500, "InternalError", "We encountered an internal error.")), retryable},
		{"bare 500 on HeadObject", head(s3Answer("HeadObject", 500, "InternalServerError", "Internal Server Error")), retryable},
		{"another service's AccessDeniedException is not S3's", errors.New("AccessDeniedException"), retryable},
		{"download 401 of a fresh link", &yeastar.HTTPError{Op: "download", StatusCode: 401}, permanent},
		{"download 403 of a fresh link", &yeastar.HTTPError{Op: "download", StatusCode: 403}, permanent},
		{"download 404 of a fresh link", fmt.Errorf("open: %w", &yeastar.HTTPError{Op: "download", StatusCode: 404}), permanent},
		{"download 500", &yeastar.HTTPError{Op: "download", StatusCode: 500}, retryable},
		{"download 429", &yeastar.HTTPError{Op: "download", StatusCode: 429}, retryable},
		{"API 404 is not a download", &yeastar.HTTPError{Op: "recording/download", StatusCode: 404}, retryable},
	}
	ref := recording.Ref{ID: 1727}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPerm := tt.want == permanent
			if got := IsPermanent(tt.err); got != wantPerm {
				t.Errorf("IsPermanent = %v, want %v", got, wantPerm)
			}
			if got := ClassOf(tt.err) == ClassPermanent; got != wantPerm {
				t.Errorf("ClassOf = %v, want permanent %v", ClassOf(tt.err), wantPerm)
			}
			err := classify(ref, tt.err, false)
			if got := classOf(t, err); got != tt.want {
				t.Errorf("classify = %T (%v), want %s", err, err, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("classify(%v) does not wrap the original error", tt.err)
			}
		})
	}
}

// TestUploadDeniedDownloadsOnce: S3 refusing the upload (an IAM or KMS
// mistake) is permanent, so the copy stops at its first attempt instead of
// downloading the whole recording again on each of its retries.
func TestUploadDeniedDownloadsOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"AccessDenied", s3Answer("PutObject", 403, "AccessDenied", "Access Denied")},
		{"KMS key disabled", s3Answer("CreateMultipartUpload", 400, "KMS.DisabledException", "key is disabled")},
		{"bucket gone", s3Answer("PutObject", 404, "NoSuchBucket", "The specified bucket does not exist")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, _, _, err := runCopy(t, copyCase{
					ref:       recording.Ref{ID: 1727},
					setup:     func(_ *fakePBX, s *fakeStore) { s.uploadErr = fmt.Errorf("s3 upload b/k: %w", tt.err) },
					wantErr:   permanent,
					wantMsg:   tt.err.Error(),
					wantCalls: []string{"link", "exists", "download", "upload"},
				})
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) {
					t.Errorf("error %v does not carry S3's answer", err)
				}
			})
		})
	}
}

// TestHeadDeniedDownloadsNothing: a HEAD refused (no s3:GetObject, or no
// s3:ListBucket on a missing key) is permanent before any download.
func TestHeadDeniedDownloadsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, _, _ = runCopy(t, copyCase{
			ref: recording.Ref{ID: 1727},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.heads = []head{{err: fmt.Errorf("s3 head b/k: %w", s3Answer("HeadObject", 403, "Forbidden", "Forbidden"))}}
			},
			wantErr:   permanent,
			wantMsg:   "403",
			wantCalls: []string{"link", "exists"},
		})
	})
}

// TestTokenCacheMissingBucket: on a fresh execution environment the first S3
// call is the token cache's Load; a missing bucket there is as permanent as
// anywhere, before any download.
func TestTokenCacheMissingBucket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, _, _ = runCopy(t, copyCase{
			ref: recording.Ref{ID: 1727},
			setup: func(p *fakePBX, _ *fakeStore) {
				p.linkErr = viaTokenCache(s3Answer("GetObject", 404, "NoSuchBucket", "The specified bucket does not exist"))
			},
			wantErr:   permanent,
			wantMsg:   "NoSuchBucket",
			wantCalls: []string{"link"},
		})
	})
}

// refusingPBX refuses the first refusals downloads with an HTTP status,
// then serves them as fakePBX does.
type refusingPBX struct {
	*fakePBX
	status   int
	refusals int
	links    []string // the resource URLs handed out, in order
}

func (p *refusingPBX) RecordingDownloadLink(ctx context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	link, err := p.fakePBX.RecordingDownloadLink(ctx, q)
	link.ResourceURL = fmt.Sprintf("%s&n=%d", link.ResourceURL, len(p.links))
	p.links = append(p.links, link.ResourceURL)
	return link, err
}

func (p *refusingPBX) Download(ctx context.Context, resourceURL string, offset int64) (*yeastar.Download, error) {
	if p.refusals > 0 {
		p.refusals--
		*p.calls = append(*p.calls, "download")
		p.dlURL = resourceURL
		return nil, &yeastar.HTTPError{Op: "download", StatusCode: p.status}
	}
	return p.fakePBX.Download(ctx, resourceURL, offset)
}

// TestDownloadRefusedRelinksOnce: a download link the PBX refuses (401, 403:
// the link's token; 404: the link expired or went stale) is asked for anew
// once; a fresh link refused too is permanent, with no further attempt.
func TestDownloadRefusedRelinksOnce(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Run("fresh link served", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					p, s, res := runRefused(t, status, 1)
					if err := res.err; err != nil {
						t.Fatalf("Copy = %v, want success with the fresh link", err)
					}
					if want := []string{"link", "exists", "download", "link", "download", "upload"}; !slices.Equal(*p.calls, want) {
						t.Errorf("calls = %v, want %v", *p.calls, want)
					}
					if len(p.links) != 2 || p.dlURL != p.links[1] {
						t.Errorf("downloaded %q, want the fresh link of %v", p.dlURL, p.links)
					}
					if string(s.body) != content {
						t.Errorf("stored %q, want %q", s.body, content)
					}
				})
			})
			t.Run("fresh link refused too", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					p, _, res := runRefused(t, status, 1000)
					if got := classOf(t, res.err); got != permanent {
						t.Fatalf("Copy = %v (%T), want a PermanentError", res.err, res.err)
					}
					var he *yeastar.HTTPError
					if !errors.As(res.err, &he) || he.StatusCode != status {
						t.Errorf("error %v does not carry HTTP %d", res.err, status)
					}
					// One attempt of the copy: no retries, no resumes.
					if want := []string{"link", "exists", "download", "link", "download"}; !slices.Equal(*p.calls, want) {
						t.Errorf("calls = %v, want %v", *p.calls, want)
					}
				})
			})
		})
	}
}

type copyOutcome struct {
	res recording.Result
	err error
}

// runRefused copies with the default retry options from a PBX that refuses
// the first refusals downloads with status.
func runRefused(t *testing.T, status, refusals int) (*refusingPBX, *fakeStore, copyOutcome) {
	t.Helper()
	var calls []string
	p := &refusingPBX{
		fakePBX: &fakePBX{
			t: t, calls: &calls,
			link: yeastar.DownloadLink{File: pbxName, ResourceURL: dlPath},
			dl:   yeastar.Download{ContentLength: int64(len(content)), Size: int64(len(content)), ContentType: "audio/x-wav"},
		},
		status:   status,
		refusals: refusals,
	}
	s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
	keys, err := recording.ParseKeyTemplate("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	res, err := NewCopier(p, s, bucket, keys, nil).Copy(ctx, recording.Ref{ID: 1727})
	for i, b := range p.bodies {
		if b.closes != 1 {
			t.Errorf("download body %d closed %d times, want once", i, b.closes)
		}
	}
	return p, s, copyOutcome{res, err}
}
