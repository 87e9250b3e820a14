package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// reconcileEnv is what every PBX's reconciler shares: the function's
// configuration, clients and options.
type reconcileEnv struct {
	cfg  config.Config
	rc   config.Reconcile
	f    pbxFunction
	send reconcile.BatchSender
	red  *redact.Redactor
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
	state, err := reconcile.NewS3StateStore(env.f.s3, env.cfg.Bucket, env.rc.StateKey, env.f.creds.ClientSecret)
	if err != nil {
		return nil, err
	}
	q := reconcile.RefQueue{Sender: env.send}
	return reconcile.New(env.f.pbx, env.f.s3, env.cfg.Bucket, env.cfg.KeyTemplate, q, state, env.options(recording.DefaultPBX, env.f.pbx)), nil
}

// pbxReconciler is the reconciler of a registry's PBX, built as the
// default one is, from its entry: its own client with the token shared
// through its own token object (it never logs in by itself), its state
// object sealed with its own client secret, its messages naming it.
func (env reconcileEnv) pbxReconciler(e pbxregistry.Entry) (*reconcile.Reconciler, error) {
	if err := env.checkScheme(e); err != nil {
		return nil, err
	}
	env.red.Add(e.ClientSecret)
	c := env.cfg
	c.PBXBaseURL, c.PBXCACert = e.BaseURL, e.CACert
	c.TokenCacheKey = config.TokenKeyFor(env.cfg.TokenCacheKey, e.ID)
	pbx, _, err := pbxClient(c, yeastar.Credentials{ClientID: e.ClientID, ClientSecret: e.ClientSecret}, env.f.s3, env.red)
	if err != nil {
		return nil, fmt.Errorf("PBX %s: %w", e.ID, err)
	}
	state, err := reconcile.NewS3StateStore(env.f.s3, c.Bucket, config.StateKeyFor(env.cfg.TokenCacheKey, e.ID), e.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("PBX %s: %w", e.ID, err)
	}
	keys, err := keysFor(c.KeyTemplate, e.ID)
	if err != nil {
		return nil, fmt.Errorf("PBX %s: %w", e.ID, err)
	}
	q := reconcile.RefQueue{Sender: env.send, PBX: e.ID}
	return reconcile.New(pbx, env.f.s3, c.Bucket, keys, q, state, env.options(e.ID, pbx)), nil
}

// checkScheme refuses a plain-HTTP PBX unless PBX_ALLOW_HTTP allows it
// for the environment's own PBX: tokens would cross the network in clear.
func (env reconcileEnv) checkScheme(e pbxregistry.Entry) error {
	u, err := url.Parse(e.BaseURL)
	if err != nil {
		return fmt.Errorf("PBX %s: base_url is not a URL", e.ID)
	}
	if !strings.EqualFold(u.Scheme, "https") && !env.cfg.PBXAllowHTTP {
		return fmt.Errorf("PBX %s: base_url must be https:// (http:// only with PBX_ALLOW_HTTP=true)", e.ID)
	}
	return nil
}

// keysFor is the key template of PBX id's recordings: a template naming
// {pbx} with the id in its place, so that the presence check looks where
// the copy function stores that PBX's recordings; any other, as it is.
func keysFor(t recording.KeyTemplate, id string) (recording.KeyTemplate, error) {
	if !strings.Contains(t.String(), "{pbx}") {
		return t, nil
	}
	return recording.ParseKeyTemplate(strings.ReplaceAll(t.String(), "{pbx}", id))
}

// reconcilePBXs is the Fleet's PBX set: the registry's PBXs, the
// environment's own as default. A PBX's reconciler is built when first
// asked for and kept while its entry stays the same; a changed entry (a
// rotated secret) gets a new one.
type reconcilePBXs struct {
	reg   *pbxregistry.Registry
	def   reconcile.Runner
	build func(pbxregistry.Entry) (*reconcile.Reconciler, error)

	mu    sync.Mutex
	built map[string]builtPBX
}

// builtPBX is a reconciler and the entry it was built from.
type builtPBX struct {
	entry pbxregistry.Entry
	run   reconcile.Runner
}

var _ reconcile.PBXSet = (*reconcilePBXs)(nil)

// IDs lists the registry's PBXs.
func (p *reconcilePBXs) IDs(ctx context.Context) ([]string, error) { return p.reg.IDs(ctx) }

// Runner returns PBX id's reconciler.
func (p *reconcilePBXs) Runner(ctx context.Context, id string) (reconcile.Runner, bool, error) {
	e, ok, err := p.reg.Lookup(ctx, id)
	if err != nil || !ok {
		return nil, false, err
	}
	if id == recording.DefaultPBX {
		return p.def, true, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.built[id]; ok && b.entry == e {
		return b.run, true, nil
	}
	r, err := p.build(e)
	if err != nil {
		return nil, true, err
	}
	p.built[id] = builtPBX{entry: e, run: r}
	return r, true, nil
}
