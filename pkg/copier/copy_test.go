package copier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// ctxKey marks the caller's context, so the fakes can check that every
// call runs under it (and so under the invocation's deadline).
type ctxKey struct{}

// countingBody is a download body that counts its Close calls.
type countingBody struct {
	io.Reader
	closes int
}

func (b *countingBody) Close() error { b.closes++; return nil }

// fakePBX answers RecordingDownloadLink and Download from its fields and
// records the calls in *calls. Every Download that succeeds gets a body of
// its own, as the PBX answers every request afresh.
type fakePBX struct {
	t     *testing.T
	calls *[]string

	link    yeastar.DownloadLink
	linkErr error
	query   yeastar.RecordingQuery

	dl       yeastar.Download // answered by Download, with a fresh body
	dlErr    error
	dlURL    string
	dlOffset int64
	bodies   []*countingBody // of the downloads returned, in order
}

func (p *fakePBX) RecordingDownloadLink(ctx context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	*p.calls = append(*p.calls, "link")
	checkCtx(p.t, ctx, "RecordingDownloadLink")
	p.query = q
	return p.link, p.linkErr
}

func (p *fakePBX) Download(ctx context.Context, resourceURL string, offset int64) (*yeastar.Download, error) {
	*p.calls = append(*p.calls, "download")
	checkCtx(p.t, ctx, "Download")
	p.dlURL, p.dlOffset = resourceURL, offset
	if p.dlErr != nil {
		return nil, p.dlErr
	}
	body := &countingBody{Reader: strings.NewReader(content)}
	p.bodies = append(p.bodies, body)
	d := p.dl
	d.Body = body
	return &d, nil
}

// fakeStore answers Exists from heads (one answer per call, the last one
// repeated) and Upload by reading the whole body.
type fakeStore struct {
	t     *testing.T
	calls *[]string

	heads  []head
	bucket string   // of the last Exists
	key    string   // of the last Exists
	keys   []string // of every Exists, in order

	uploadErr error
	obj       s3store.Object
	body      []byte
}

type head struct {
	exists bool
	size   int64
	err    error
}

func (s *fakeStore) Exists(ctx context.Context, bucket, key string) (bool, int64, error) {
	*s.calls = append(*s.calls, "exists")
	checkCtx(s.t, ctx, "Exists")
	s.bucket, s.key = bucket, key
	s.keys = append(s.keys, key)
	h := s.heads[min(countOf(*s.calls, "exists"), len(s.heads))-1]
	return h.exists, h.size, h.err
}

func (s *fakeStore) Upload(ctx context.Context, obj s3store.Object, body io.Reader) (s3store.Result, error) {
	*s.calls = append(*s.calls, "upload")
	checkCtx(s.t, ctx, "Upload")
	s.obj = obj
	b, err := io.ReadAll(body)
	if err != nil {
		s.t.Errorf("Upload: read body: %v", err)
	}
	s.body = b
	if s.uploadErr != nil {
		return s3store.Result{}, s.uploadErr
	}
	return s3store.Result{Bucket: obj.Bucket, Key: obj.Key, Size: int64(len(b)), ETag: `"etag"`}, nil
}

func checkCtx(t *testing.T, ctx context.Context, op string) {
	t.Helper()
	if ctx.Value(ctxKey{}) == nil {
		t.Errorf("%s was not called with the caller's context", op)
	}
}

func countOf(calls []string, name string) int {
	n := 0
	for _, c := range calls {
		if c == name {
			n++
		}
	}
	return n
}

// copyCase is one Copy against the fakes. The fakes start as a PBX that
// has the recording pbxName (content "audio...") and an empty bucket;
// setup changes that.
type copyCase struct {
	name     string
	template string
	ref      recording.Ref
	opts     *Options // nil: the defaults
	setup    func(p *fakePBX, s *fakeStore)

	wantCalls []string
	wantErr   class  // "" means success
	wantMsg   string // substring of the error
}

const (
	bucket  = "recordings-bucket"
	content = "RIFF....WAVEfmt audio bytes of the recording"
	dlPath  = "/api/v2.0.0/recording/download?file=abc"
)

// oneAttempt makes a Copier try once and never resume, for tests about
// the calls of a single attempt.
var oneAttempt = Options{
	TransientRetry:       recording.RetryPolicy{Attempts: 1},
	NotYetAvailableRetry: recording.RetryPolicy{Attempts: 1},
	BusyRetry:            recording.RetryPolicy{Attempts: 1},
	MaxResumes:           1,
}

func runCopy(t *testing.T, tt copyCase) (*fakePBX, *fakeStore, recording.Result, error) {
	t.Helper()
	var calls []string
	p := &fakePBX{
		t: t, calls: &calls,
		link: yeastar.DownloadLink{File: pbxName, ResourceURL: dlPath},
		dl:   yeastar.Download{ContentLength: int64(len(content)), Size: int64(len(content)), ContentType: "audio/x-wav"},
	}
	s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
	if tt.setup != nil {
		tt.setup(p, s)
	}
	keys, err := recording.ParseKeyTemplate(tt.template)
	if err != nil {
		t.Fatalf("recording.ParseKeyTemplate(%q) = %v", tt.template, err)
	}
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	res, err := NewCopier(p, s, bucket, keys, tt.opts).Copy(ctx, tt.ref)

	if !slices.Equal(calls, tt.wantCalls) {
		t.Errorf("calls = %v, want %v", calls, tt.wantCalls)
	}
	if tt.wantErr == "" {
		if err != nil {
			t.Fatalf("Copy(%v) = %v", tt.ref, err)
		}
	} else {
		if got := classOf(t, err); got != tt.wantErr {
			t.Errorf("Copy(%v) error = %v (%T), want a %s", tt.ref, err, err, tt.wantErr)
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Copy(%v) error = %q, want it to mention %q", tt.ref, err, tt.wantMsg)
		}
	}
	// Whoever opens the download closes it, on every path.
	for i, b := range p.bodies {
		if b.closes != 1 {
			t.Errorf("download body %d closed %d times, want once", i, b.closes)
		}
	}
	if res.Duration < 0 {
		t.Errorf("Duration = %v, want >= 0", res.Duration)
	}
	return p, s, res, err
}

func defaultKey(t *testing.T, file string) string {
	t.Helper()
	k, err := recording.KeyTemplate{}.Key(file, 0)
	if err != nil {
		t.Fatalf("default key for %q: %v", file, err)
	}
	return k
}

func TestCopySuccess(t *testing.T) {
	mp3 := strings.TrimSuffix(pbxName, ".wav") + ".mp3"
	nonASCII := "20220412173331-Müller-東京 +49.wav"
	tests := []struct {
		copyCase
		wantQuery yeastar.RecordingQuery
		wantType  string
		wantMeta  map[string]string
	}{
		{
			copyCase: copyCase{
				name: "by id",
				ref:  recording.Ref{ID: 1727},
			},
			wantQuery: yeastar.RecordingQuery{ID: 1727},
			wantType:  "audio/wav",
			wantMeta:  map[string]string{recording.MetaRecordingID: "1727", recording.MetaRecordingFile: pbxName},
		},
		{
			copyCase: copyCase{
				name: "by file",
				ref:  recording.Ref{File: pbxName},
			},
			wantQuery: yeastar.RecordingQuery{File: pbxName},
			wantType:  "audio/wav",
			wantMeta:  map[string]string{recording.MetaRecordingFile: pbxName},
		},
		{
			// Stereo recordings are converted: asked for x.wav, the PBX
			// serves x.mp3, and the key and type follow its answer.
			copyCase: copyCase{
				name:  "PBX answers another format",
				ref:   recording.Ref{File: pbxName},
				setup: func(p *fakePBX, _ *fakeStore) { p.link.File = mp3 },
			},
			wantQuery: yeastar.RecordingQuery{File: pbxName},
			wantType:  "audio/mpeg",
			wantMeta:  map[string]string{recording.MetaRecordingFile: mp3},
		},
		{
			// A listing of the PBX names both: the PBX is asked by id.
			copyCase: copyCase{
				name: "by id and file, with the call's details",
				ref:  recording.Ref{ID: 1727, File: pbxName, Call: &recording.Call{ID: "1649756009.12", From: "Evelyn<2002>", To: "Dave Harris<2005>", SN: "3631A2124XXX"}},
			},
			wantQuery: yeastar.RecordingQuery{ID: 1727},
			wantType:  "audio/wav",
			wantMeta: map[string]string{
				recording.MetaRecordingID: "1727", recording.MetaRecordingFile: pbxName, recording.MetaCallID: "1649756009.12",
				recording.MetaCallFrom: "Evelyn<2002>", recording.MetaCallTo: "Dave Harris<2005>", recording.MetaPBXSN: "3631A2124XXX",
			},
		},
		{
			copyCase: copyCase{
				name:  "non-ASCII name",
				ref:   recording.Ref{ID: 9},
				setup: func(p *fakePBX, _ *fakeStore) { p.link.File = nonASCII },
			},
			wantQuery: yeastar.RecordingQuery{ID: 9},
			wantType:  "audio/wav",
			// UTF-8 percent-encoded (RFC 3986); "+" is legal in a path segment.
			wantMeta: map[string]string{recording.MetaRecordingID: "9", recording.MetaRecordingFile: "20220412173331-M%C3%BCller-%E6%9D%B1%E4%BA%AC%20+49.wav"},
		},
		{
			copyCase: copyCase{
				name:     "id template",
				template: "pbx/{id}/{file}",
				ref:      recording.Ref{ID: 1727},
			},
			wantQuery: yeastar.RecordingQuery{ID: 1727},
			wantType:  "audio/wav",
			wantMeta:  map[string]string{recording.MetaRecordingID: "1727", recording.MetaRecordingFile: pbxName},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A file-named reference is looked for under both formats
			// before the PBX is asked; one named by id alone, after the
			// PBX has named its file.
			tt.wantCalls = []string{"link", "exists", "download", "upload"}
			if tt.ref.File != "" {
				tt.wantCalls = []string{"exists", "exists", "link", "download", "upload"}
			}
			p, s, res, _ := runCopy(t, tt.copyCase)
			if p.query != tt.wantQuery {
				t.Errorf("PBX asked for %+v, want %+v", p.query, tt.wantQuery)
			}
			if p.dlURL != p.link.ResourceURL || p.dlOffset != 0 {
				t.Errorf("Download(%q, %d), want Download(%q, 0)", p.dlURL, p.dlOffset, p.link.ResourceURL)
			}
			keys, _ := recording.ParseKeyTemplate(tt.template)
			wantKey, err := keys.Key(p.link.File, tt.ref.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(wantKey, "/"+p.link.File) {
				t.Fatalf("test setup: key %q does not end with the PBX's file %q", wantKey, p.link.File)
			}
			// A file-named reference is looked for under both formats
			// before the PBX is asked; the key the PBX's name gives is
			// looked for in any case.
			wantKeys := []string{wantKey}
			if tt.ref.File != "" {
				wantKeys = []string{defaultKey(t, pbxName), defaultKey(t, mp3)}
			}
			if s.bucket != bucket || !slices.Equal(s.keys, wantKeys) {
				t.Errorf("Exists(%q, %q), want Exists(%q, %q)", s.bucket, s.keys, bucket, wantKeys)
			}
			wantObj := s3store.Object{Bucket: bucket, Key: wantKey, Size: p.dl.Size, ContentType: tt.wantType}
			gotObj := s.obj
			gotObj.Metadata = nil
			if !equalObject(gotObj, wantObj) {
				t.Errorf("Upload object = %+v, want %+v", gotObj, wantObj)
			}
			if !maps.Equal(s.obj.Metadata, tt.wantMeta) {
				t.Errorf("Upload metadata = %v, want %v", s.obj.Metadata, tt.wantMeta)
			}
			for k, v := range s.obj.Metadata {
				if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
					t.Errorf("metadata %s = %q is not printable ASCII", k, v)
				}
			}
			if f, err := url.PathUnescape(s.obj.Metadata[recording.MetaRecordingFile]); err != nil || f != p.link.File {
				t.Errorf("metadata %s unescapes to %q, %v; want %q", recording.MetaRecordingFile, f, err, p.link.File)
			}
			if string(s.body) != content {
				t.Errorf("uploaded %q, want the downloaded %q", s.body, content)
			}
			want := recording.Result{ID: tt.ref.ID, File: p.link.File, Bucket: bucket, Key: wantKey, Bytes: int64(len(content))}
			res.Duration = 0
			if res != want {
				t.Errorf("recording.Result = %+v, want %+v", res, want)
			}
		})
	}
}

func equalObject(a, b s3store.Object) bool {
	return a.Bucket == b.Bucket && a.Key == b.Key && a.Size == b.Size && a.ContentType == b.ContentType &&
		maps.Equal(a.Metadata, b.Metadata)
}

func TestCopyAlreadyStored(t *testing.T) {
	const stored = 987654
	tests := []copyCase{
		{
			name:      "found before download",
			ref:       recording.Ref{ID: 1727},
			setup:     func(_ *fakePBX, s *fakeStore) { s.heads = []head{{exists: true, size: stored}} },
			wantCalls: []string{"link", "exists"},
		},
		{
			// A racing copy completed first: the conditional write
			// refuses ours and the object is the other copy's.
			name: "racing copy won",
			ref:  recording.Ref{File: pbxName},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.heads = []head{{exists: false}, {exists: false}, {exists: true, size: stored}}
				s.uploadErr = fmt.Errorf("s3 upload b/k: %w", s3store.ErrAlreadyExists)
			},
			wantCalls: []string{"exists", "exists", "link", "download", "upload", "exists"},
		},
		{
			// A duplicate message for a stored recording: no PBX request.
			name:      "file named: found before asking the PBX",
			ref:       recording.Ref{ID: 1727, File: pbxName},
			setup:     func(_ *fakePBX, s *fakeStore) { s.heads = []head{{exists: true, size: stored}} },
			wantCalls: []string{"exists"},
		},
		{
			// A replay for a recording the PBX served in the other
			// format: found under that name, no PBX request.
			name:      "file named: found in the other format before asking the PBX",
			ref:       recording.Ref{File: pbxName},
			setup:     func(_ *fakePBX, s *fakeStore) { s.heads = []head{{exists: false}, {exists: true, size: stored}} },
			wantCalls: []string{"exists", "exists"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s, res, _ := runCopy(t, tt)
			file := pbxName
			if len(s.keys) == 2 && slices.Equal(tt.wantCalls, []string{"exists", "exists"}) {
				file = recording.OtherFormat(pbxName)
			}
			want := recording.Result{ID: tt.ref.ID, File: file, Bucket: bucket, Key: defaultKey(t, file), Bytes: stored, AlreadyStored: true}
			res.Duration = 0
			if res != want {
				t.Errorf("recording.Result = %+v, want %+v", res, want)
			}
		})
	}
}

// simPBX serves rec from a PBX simulator and returns the real client of it.
func simPBX(t *testing.T, rec yeastartest.Recording) (*yeastartest.Simulator, *yeastar.Client) {
	t.Helper()
	const clientID, secret = "client-id", "client-secret"
	sim := yeastartest.NewServer(yeastartest.Options{ClientID: clientID, ClientSecret: secret})
	t.Cleanup(sim.Close)
	sim.AddRecording(rec)
	pbx, err := yeastar.NewStandalone(sim.URL(), yeastar.Credentials{ClientID: clientID, ClientSecret: secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sim, pbx
}

// TestCopyEmptyRecording copies a 0-byte recording from the PBX simulator
// through the real client: it is uploaded as an empty object in one attempt,
// not refused as a text body and retried.
func TestCopyEmptyRecording(t *testing.T) {
	sim, pbx := simPBX(t, yeastartest.Recording{ID: 1727, File: pbxName, Size: 0})
	var calls []string
	s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	res, err := NewCopier(pbx, s, bucket, recording.KeyTemplate{}, nil).Copy(ctx, recording.Ref{ID: 1727})
	if err != nil {
		t.Fatalf("Copy of an empty recording: %v", err)
	}
	if want := []string{"exists", "upload"}; !slices.Equal(calls, want) {
		t.Errorf("store calls = %v, want %v", calls, want)
	}
	if s.obj.Size != 0 || len(s.body) != 0 {
		t.Errorf("uploaded Size %d, %d bytes; want an empty object", s.obj.Size, len(s.body))
	}
	want := recording.Result{ID: 1727, File: pbxName, Bucket: bucket, Key: defaultKey(t, pbxName)}
	res.Duration = 0
	if res != want {
		t.Errorf("recording.Result = %+v, want %+v", res, want)
	}
	if st := sim.Stats(); st.APIRequests["recording/download"] != 1 || st.DownloadsStarted != 1 || st.DownloadsCompleted != 1 {
		t.Errorf("PBX saw %d link requests, %d downloads started, %d completed; want 1 each",
			st.APIRequests["recording/download"], st.DownloadsStarted, st.DownloadsCompleted)
	}
}

func TestCopyErrors(t *testing.T) {
	api := func(op string, code int) error { return &yeastar.APIError{Op: op, Code: code, Message: "test"} }
	errNet := errors.New("connection reset by peer")
	tests := []copyCase{
		{
			name:      "bad file asked",
			ref:       recording.Ref{File: "../" + pbxName},
			wantErr:   invalidInput,
			wantMsg:   `".."`,
			wantCalls: nil,
		},
		{
			name:      "id template, named by file",
			template:  "{id}/{file}",
			ref:       recording.Ref{File: pbxName},
			wantErr:   invalidInput,
			wantMsg:   "name it by id",
			wantCalls: []string{"link"},
		},
		{
			name:      "head fails",
			ref:       recording.Ref{ID: 1727},
			setup:     func(_ *fakePBX, s *fakeStore) { s.heads = []head{{err: errNet}} },
			wantErr:   retryable,
			wantMsg:   errNet.Error(),
			wantCalls: []string{"link", "exists"},
		},
		{
			name: "bucket does not exist",
			ref:  recording.Ref{ID: 1727},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.heads = []head{{err: fmt.Errorf("s3 head b/k: %w", s3store.ErrNoSuchBucket)}}
			},
			wantErr:   permanent,
			wantMsg:   "bucket does not exist",
			wantCalls: []string{"link", "exists"},
		},
		{
			name: "bucket deleted before the upload",
			ref:  recording.Ref{ID: 1727},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.uploadErr = fmt.Errorf("s3 upload b/k: %w", s3store.ErrNoSuchBucket)
			},
			wantErr:   permanent,
			wantMsg:   "bucket does not exist",
			wantCalls: []string{"link", "exists", "download", "upload"},
		},
		{
			name:      "upload fails",
			ref:       recording.Ref{ID: 1727},
			setup:     func(_ *fakePBX, s *fakeStore) { s.uploadErr = errNet },
			wantErr:   retryable,
			wantMsg:   errNet.Error(),
			wantCalls: []string{"link", "exists", "download", "upload"},
		},
		{
			name: "upload short source",
			ref:  recording.Ref{ID: 1727},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.uploadErr = fmt.Errorf("s3 upload: %w", &s3store.SizeError{Want: 10, Got: 5})
			},
			wantErr:   retryable,
			wantMsg:   "source ended",
			wantCalls: []string{"link", "exists", "download", "upload"},
		},
		{
			name: "race lost, head fails",
			ref:  recording.Ref{ID: 1727},
			setup: func(_ *fakePBX, s *fakeStore) {
				s.heads = []head{{exists: false}, {err: errNet}}
				s.uploadErr = fmt.Errorf("s3 upload: %w", s3store.ErrAlreadyExists)
			},
			wantErr:   retryable,
			wantMsg:   errNet.Error(),
			wantCalls: []string{"link", "exists", "download", "upload", "exists"},
		},
	}
	// The PBX, not the event, is wrong: the error says so.
	for _, b := range []struct{ name, file string }{
		{"PBX answers a path", "../x.wav"},
		{"PBX answers a name with a newline", "20220412173331\n.wav"},
	} {
		tests = append(tests, copyCase{name: b.name, ref: recording.Ref{ID: 1727}, setup: func(p *fakePBX, _ *fakeStore) { p.link.File = b.file },
			wantErr: permanent, wantMsg: `PBX answered a bad file name`, wantCalls: []string{"link"}})
	}
	// The PBX refusing with an errcode, on the link request or on the
	// download: the class follows the errcode, and the error names it.
	for _, e := range []struct {
		name string
		op   string // "download": the download refuses; else the link request
		code int
		want class
	}{
		{"bad credentials", "get_token", yeastar.CodeFailure, permanent},
		{"recording not written yet", "recording/download", yeastar.CodeDataNotFound, notYetAvailable},
		{"access denied", "recording/download", yeastar.CodeAccessDenied, permanent},
		{"download overload", "download", yeastar.CodeOverloadTask, retryable},
		{"download IP forbidden", "download", yeastar.CodeIPForbidden, permanent},
	} {
		err := api(e.op, e.code)
		tc := copyCase{name: e.name, ref: recording.Ref{ID: 1727}, wantErr: e.want, wantMsg: fmt.Sprintf("errcode %d", e.code)}
		tc.setup, tc.wantCalls = func(p *fakePBX, _ *fakeStore) { p.linkErr = err }, []string{"link"}
		if e.op == "download" {
			tc.setup, tc.wantCalls = func(p *fakePBX, _ *fakeStore) { p.dlErr = err }, []string{"link", "exists", "download"}
		}
		tests = append(tests, tc)
	}
	// A download that does not deliver the recording whole from byte 0:
	// partial, retried.
	for _, d := range []struct {
		name  string
		setup func(p *fakePBX, _ *fakeStore)
	}{
		{"download from an offset", func(p *fakePBX, _ *fakeStore) { p.dl.Offset, p.dl.ContentLength = 5, p.dl.Size-5 }},
		{"download from an offset, lengths consistent", func(p *fakePBX, _ *fakeStore) { p.dl.Offset = 5 }},
		{"download shorter than the recording", func(p *fakePBX, _ *fakeStore) { p.dl.Size++ }},
	} {
		tests = append(tests, copyCase{name: d.name, ref: recording.Ref{ID: 1727}, setup: d.setup,
			wantErr: retryable, wantMsg: "partial", wantCalls: []string{"link", "exists", "download"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The calls listed are those of one attempt: retries are
			// retry_test.go's, resumes resume_test.go's.
			tt.opts = &oneAttempt
			_, s, res, err := runCopy(t, tt)
			if tt.wantErr != invalidInput && !strings.Contains(err.Error(), tt.ref.String()) {
				t.Errorf("error %q does not name the recording (%s)", err, tt.ref)
			}
			if got, want := IsPermanent(err), tt.wantErr == permanent || tt.wantErr == invalidInput; got != want {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, want)
			}
			if s.obj.Key != "" && s.obj.Size != int64(len(content)) {
				t.Errorf("Upload size = %d, want %d", s.obj.Size, len(content))
			}
			if res.File == "" && tt.ref.File != "" {
				t.Errorf("recording.Result.File is empty, want the recording named")
			}
			if tt.ref.ID > 0 && res.ID != tt.ref.ID {
				t.Errorf("recording.Result.ID = %d, want %s", res.ID, strconv.FormatInt(tt.ref.ID, 10))
			}
		})
	}
}

// pbxName is the file name of the seed's example recording.
const pbxName = "20220412173331-1649756009.12-2002-2005-Internal.wav"
