package copier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// fleet is PBXs of fake PBXs by id.
type fleet map[string]*fakePBX

func (f fleet) PBX(_ context.Context, id string) (PBX, error) {
	if p, ok := f[id]; ok {
		return p, nil
	}
	return nil, NotConfigured(id)
}

func newFleetPBX(t *testing.T, calls *[]string) *fakePBX {
	return &fakePBX{
		t: t, calls: calls,
		link: yeastar.DownloadLink{File: pbxName, ResourceURL: dlPath},
		dl:   yeastar.Download{ContentLength: int64(len(content)), Size: int64(len(content)), ContentType: "audio/x-wav"},
	}
}

// TestCopyGoesToTheRefsPBX: a reference is copied from the PBX it names
// (none: "default"), under its {pbx} key, with x-amz-meta-pbx except for
// "default", whose objects stay as a single-PBX stack stores them.
func TestCopyGoesToTheRefsPBX(t *testing.T) {
	keys, err := recording.ParseKeyTemplate("recordings/{pbx}/{yyyy}/{file}")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pbx, wantKey, wantMeta string
	}{
		{"", "recordings/default/2022/" + pbxName, ""},
		{"default", "recordings/default/2022/" + pbxName, ""},
		{"hq", "recordings/hq/2022/" + pbxName, "hq"},
		{"branch-2", "recordings/branch-2/2022/" + pbxName, "branch-2"},
	} {
		t.Run(tc.pbx, func(t *testing.T) {
			var calls []string
			pbxs := fleet{"default": newFleetPBX(t, &calls), "hq": newFleetPBX(t, &calls), "branch-2": newFleetPBX(t, &calls)}
			s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
			ctx := context.WithValue(t.Context(), ctxKey{}, true)
			res, err := NewCopierOf(pbxs, s, bucket, keys, nil).Copy(ctx, recording.Ref{PBX: tc.pbx, ID: 7})
			if err != nil {
				t.Fatalf("Copy: %v", err)
			}
			if res.Key != tc.wantKey || s.obj.Key != tc.wantKey {
				t.Errorf("key %q (uploaded %q), want %q", res.Key, s.obj.Key, tc.wantKey)
			}
			meta, ok := s.obj.Metadata[recording.MetaPBX]
			if meta != tc.wantMeta || ok != (tc.wantMeta != "") {
				t.Errorf("metadata pbx = %q (set %v), want %q", meta, ok, tc.wantMeta)
			}
			for id, p := range pbxs {
				asked := p.query.ID != 0
				if want := id == recording.PBXOf(recording.Ref{PBX: tc.pbx}); asked != want {
					t.Errorf("PBX %s asked: %v, want %v", id, asked, want)
				}
			}
		})
	}
}

// TestCopyOfUnknownPBX: a reference to a PBX the function does not serve
// is an InvalidInputError naming it, before any S3 or PBX call; so is any
// PBX but "default" for a single-PBX copier.
func TestCopyOfUnknownPBX(t *testing.T) {
	var calls []string
	s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	for name, c := range map[string]*Copier{
		"registry":   NewCopierOf(fleet{"hq": newFleetPBX(t, &calls)}, s, bucket, recording.KeyTemplate{}, nil),
		"single PBX": NewCopier(newFleetPBX(t, &calls), s, bucket, recording.KeyTemplate{}, nil),
	} {
		_, err := c.Copy(ctx, recording.Ref{PBX: "nowhere", File: pbxName})
		var inv *recording.InvalidInputError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), "PBX nowhere is not configured") {
			t.Errorf("%s: Copy = %v, want an InvalidInputError saying PBX nowhere is not configured", name, err)
		}
	}
	if len(calls) != 0 {
		t.Errorf("calls %v, want none", calls)
	}
}

// TestCopyOfPBXInBackoffFailsFast: a PBX in its login backoff fails the copy
// at once, as a RetryableError naming the PBX, without the transient
// retries (which would hold the copy's batch slot).
func TestCopyOfPBXInBackoffFailsFast(t *testing.T) {
	var calls []string
	p := newFleetPBX(t, &calls)
	p.linkErr = fmt.Errorf("get token: %w", &tokencache.BackoffError{Failures: 3, Until: time.Now().Add(time.Minute), Last: "connection refused"})
	s := &fakeStore{t: t, calls: &calls, heads: []head{{exists: false}}}
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	_, err := NewCopierOf(fleet{"down": p}, s, bucket, recording.KeyTemplate{}, nil).Copy(ctx, recording.Ref{PBX: "down", ID: 1})
	if got := classOf(t, err); got != retryable || !strings.Contains(err.Error(), "pbx down") {
		t.Errorf("Copy = %v (%s), want a RetryableError naming pbx down", err, got)
	}
	if n := countOf(calls, "link"); n != 1 {
		t.Errorf("link asked %d times, want once (no retry within the copy); calls %v", n, calls)
	}
	if slices.Contains(calls, "upload") {
		t.Errorf("calls %v: an upload without a link", calls)
	}
}

// TestUnusablePBXEntryIsPermanent: a registry entry the function cannot use
// fails its copies as PermanentErrors.
func TestUnusablePBXEntryIsPermanent(t *testing.T) {
	if c := ClassOf(fmt.Errorf("PBX hq: %w: base_url uses plain http://", ErrPBXConfig)); c != ClassPermanent {
		t.Errorf("ClassOf(ErrPBXConfig) = %v, want ClassPermanent", c)
	}
}
