package reconcileapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// reconcileEnv is what every PBX's reconciler shares: the function's
// configuration, clients and options.
type reconcileEnv struct {
	cfg  config.Config
	rc   config.Reconcile
	f    app.PBXFunction
	send reconcile.BatchSender
	log  *slog.Logger
}

// options are a PBX's reconciler options, its clock asked of pbx and its
// pages logged with its id.
func (env reconcileEnv) options(id string, pbx *yeastar.Client) *reconcile.Options {
	log := env.log
	if id != recording.DefaultPBX {
		log = log.With("pbx", id)
	}
	return &reconcile.Options{
		RequeueAfter: env.rc.RequeueAfter,
		Settle:       env.rc.Settle,
		Clock:        reconcile.SystemClock{PBX: pbx},
		MaxPages:     env.rc.MaxPages,
		MaxQueued:    env.rc.MaxQueued,
		OnPage:       reconcile.LogProgress(log),
	}
}

// defaultReconciler is the single-PBX configuration's reconciler: the
// environment's PBX client, its state object at rc.StateKey, its messages
// without "pbx", as before there were many.
func (env reconcileEnv) defaultReconciler() (*reconcile.Reconciler, error) {
	state, err := reconcile.NewS3StateStore(env.f.S3, env.cfg.Bucket, env.rc.StateKey, env.f.Creds.ClientSecret)
	if err != nil {
		return nil, err
	}
	keys, err := keysFor(env.cfg.KeyTemplate, recording.DefaultPBX)
	if err != nil {
		return nil, err
	}
	q := reconcile.RefQueue{Sender: env.send}
	return reconcile.New(env.f.PBX, env.f.S3, env.cfg.Bucket, keys, q, state, env.options(recording.DefaultPBX, env.f.PBX)), nil
}

// pbxReconciler is the reconciler of a registry's PBX, built as the
// default one is, from its entry and its client (the copy function's, with
// the token shared through the PBX's own token object: it never logs in by
// itself): its state object sealed with its own client secret, beside its
// token object; its messages naming it.
func (env reconcileEnv) pbxReconciler(e pbxregistry.Entry, pbx *yeastar.Client) (*reconcile.Reconciler, error) {
	state, err := reconcile.NewS3StateStore(env.f.S3, env.cfg.Bucket, config.StateKeyFor(env.cfg.TokenCacheKey, e.ID), e.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("PBX %s: %w", e.ID, err)
	}
	keys, err := keysFor(env.cfg.KeyTemplate, e.ID)
	if err != nil {
		return nil, fmt.Errorf("PBX %s: %w", e.ID, err)
	}
	q := reconcile.RefQueue{Sender: env.send, PBX: e.ID}
	return reconcile.New(pbx, env.f.S3, env.cfg.Bucket, keys, q, state, env.options(e.ID, pbx)), nil
}

// keysFor is the key template of PBX id's recordings: a template naming
// {pbx} with the id in its place, so that the presence check lists that
// PBX's keys alone, where the copy function stores them
// (recording.KeyTemplate.KeyFor); any other, as it is.
func keysFor(t recording.KeyTemplate, id string) (recording.KeyTemplate, error) {
	if !t.UsesPBX() {
		return t, nil
	}
	return recording.ParseKeyTemplate(strings.ReplaceAll(t.String(), "{pbx}", id))
}

// reconcilePBXs is the Fleet's PBX set: the registry's PBXs, the
// environment's own as default. A PBX's reconciler is built when first
// asked for, on the pool's client, and kept while its entry and client
// stay the same; a changed entry (a rotated secret) gets a new one.
type reconcilePBXs struct {
	pool  *app.Pool
	def   reconcile.Runner // nil without PBX_BASE_URL
	build func(pbxregistry.Entry, *yeastar.Client) (*reconcile.Reconciler, error)

	mu    sync.Mutex
	built map[string]builtPBX
}

// builtPBX is a reconciler and what it was built from.
type builtPBX struct {
	entry  pbxregistry.Entry
	client *yeastar.Client
	run    reconcile.Runner
}

var _ reconcile.PBXSet = (*reconcilePBXs)(nil)

// IDs lists the registry's PBXs.
func (p *reconcilePBXs) IDs(ctx context.Context) ([]string, error) { return p.pool.Registry().IDs(ctx) }

// Runner returns PBX id's reconciler.
func (p *reconcilePBXs) Runner(ctx context.Context, id string) (reconcile.Runner, bool, error) {
	e, ok, err := p.pool.Registry().Lookup(ctx, id)
	if err != nil || !ok {
		return nil, false, err
	}
	if id == recording.DefaultPBX && p.def != nil {
		return p.def, true, nil
	}
	c, err := p.pool.PBX(ctx, id)
	if err != nil {
		return nil, true, err
	}
	client, ok := c.(*yeastar.Client)
	if !ok {
		return nil, true, fmt.Errorf("PBX %s: the pool's client is a %T, not a PBX API client", id, c)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.built[id]; ok && b.entry == e && b.client == client {
		return b.run, true, nil
	}
	r, err := p.build(e, client)
	if err != nil {
		return nil, true, err
	}
	p.built[id] = builtPBX{entry: e, client: client, run: r}
	return r, true, nil
}
