package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// Pool is the PBX clients of the copy function and the reconciler, one per
// PBX id: each built
// on first use from the registry's entry, kept for the process's life, and
// built again when the entry changes (credentials rotated, PBX moved). Each
// PBX has its own token object, renewal lock and login backoff, so that one
// PBX's trouble never waits on another's; the pool's lock is never held
// across I/O.
type Pool struct {
	reg   *pbxregistry.Registry
	cfg   config.Config
	s3    tokencache.S3API
	red   *redact.Redactor
	now   func() time.Time
	fixed map[string]*yeastar.Client // the PBX "default" of PBX_BASE_URL, built at start

	mu      sync.Mutex
	clients map[string]pooled
	// retired counts the tokens obtained by clients built again since.
	retired atomic.Int64
	fixedAu []*yeastar.Auth
}

// pooled is the client of one registry entry.
type pooled struct {
	entry  pbxregistry.Entry
	client *yeastar.Client
	auth   *yeastar.Auth
}

var _ copier.PBXs = (*Pool)(nil)

// NewPool is the pool of the PBXs of reg, their clients built from cfg,
// their token objects in s3, their secrets registered with red. Unlike
// BuildPool's, it holds no client built at start: the PBX "default" gets
// one built from its registry entry, like any other.
func NewPool(reg *pbxregistry.Registry, cfg config.Config, s3 tokencache.S3API, red *redact.Redactor) *Pool {
	return &Pool{reg: reg, cfg: cfg, s3: s3, red: red, now: time.Now, fixed: map[string]*yeastar.Client{}, clients: map[string]pooled{}}
}

// PBX returns the client of PBX id: an *recording.InvalidInputError when
// the registry holds no such PBX.
func (p *Pool) PBX(ctx context.Context, id string) (copier.PBX, error) {
	if err := p.checkKeys(ctx); err != nil {
		return nil, err
	}
	if c, ok := p.fixed[id]; ok {
		return c, nil
	}
	e, ok, err := p.reg.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, copier.NotConfigured(id)
	}
	p.mu.Lock()
	cur, ok := p.clients[id]
	p.mu.Unlock()
	if ok && cur.entry == e {
		return cur.client, nil
	}
	built, err := p.build(e)
	if err != nil {
		return nil, err
	}
	return p.keep(built).client, nil
}

// keep stores built unless another caller stored a client of the same
// entry meanwhile, and returns the one kept.
func (p *Pool) keep(built pooled) pooled {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur, ok := p.clients[built.entry.ID]; ok {
		if cur.entry == built.entry {
			return cur
		}
		p.retired.Add(cur.auth.TokensObtained())
	}
	p.clients[built.entry.ID] = built
	return built
}

// build makes the client of entry e; it does no I/O. Its secrets are
// registered with the redactor first.
func (p *Pool) build(e pbxregistry.Entry) (pooled, error) {
	for _, s := range e.Secrets() {
		p.red.Add(s)
	}
	if err := p.checkScheme(e); err != nil {
		return pooled{}, err
	}
	spec := pbxSpec{baseURL: e.BaseURL, apiPath: p.cfg.PBXAPIPath, caCert: e.CACert,
		creds:  yeastar.Credentials{ClientID: e.ClientID, ClientSecret: e.ClientSecret},
		bucket: p.cfg.Bucket, tokenKey: config.TokenKeyFor(p.cfg.TokenCacheKey, e.ID),
		backoff: tokencache.NewLoginBackoff(0, 0, p.now)}
	c, auth, err := pbxClient(spec, p.s3, p.red)
	if err != nil {
		return pooled{}, fmt.Errorf("PBX %s: %w: %w", e.ID, copier.ErrPBXConfig, err)
	}
	return pooled{entry: e, client: c, auth: auth}, nil
}

// checkScheme refuses a plain-HTTP PBX unless PBX_ALLOW_HTTP allows it,
// as for PBX_BASE_URL.
func (p *Pool) checkScheme(e pbxregistry.Entry) error {
	u, err := url.Parse(e.BaseURL)
	if err == nil && strings.EqualFold(u.Scheme, "https") || p.cfg.PBXAllowHTTP {
		return nil
	}
	return fmt.Errorf("PBX %s: %w: base_url uses plain http://, which would send the client secret and tokens unencrypted (PBX_ALLOW_HTTP=true allows it)",
		e.ID, copier.ErrPBXConfig)
}

// checkKeys refuses every copy while the registry holds more than one PBX
// and the key template has no {pbx}: two PBXs' recordings of one file name
// would get one key, and the second would be taken for already stored.
// (copyapp.Build refuses to start so; this catches a PBX added since.)
func (p *Pool) checkKeys(ctx context.Context) error {
	if p.cfg.KeyTemplate.UsesPBX() {
		return nil
	}
	ids, err := p.reg.IDs(ctx)
	if err != nil {
		return err
	}
	if err := keysError(p.cfg.KeyTemplate, ids); err != nil {
		return fmt.Errorf("%w: %w", copier.ErrPBXConfig, err)
	}
	return nil
}

// keysError is the error of a key template without {pbx} for the PBXs
// ids, or nil when one PBX (or none) is configured.
func keysError(keys recording.KeyTemplate, ids []string) *config.Error {
	if len(ids) < 2 || keys.UsesPBX() {
		return nil
	}
	shown := ids
	if len(shown) > 3 {
		shown = append(shown[:3:3], "...")
	}
	return &config.Error{Var: "RECORDINGS_KEY_TEMPLATE",
		Problem: fmt.Sprintf("%q has no {pbx}, but %d PBXs are configured (%s): their recordings of the same file name would get the same key",
			keys.String(), len(ids), strings.Join(shown, ", "))}
}

// Registry is the registry the pool serves.
func (p *Pool) Registry() *pbxregistry.Registry { return p.reg }

// TokensObtained is how many PBX tokens this process obtained, every PBX's.
func (p *Pool) TokensObtained() int64 {
	n := p.retired.Load()
	for _, a := range p.fixedAu {
		n += a.TokensObtained()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.clients {
		n += c.auth.TokensObtained()
	}
	return n
}
