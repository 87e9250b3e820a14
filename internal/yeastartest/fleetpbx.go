package yeastartest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault is how one PBX of a fleet misbehaves, for tests that one PBX's
// trouble does not hold up the others.
type Fault struct {
	// Down leaves the PBX's port closed: every connection is refused.
	Down bool
	// Slow answers every API call (not downloads) only after this delay,
	// or not at all if the request's context ends first.
	Slow time.Duration
	// WrongCredentials gives the PBX's registry entry a client secret the
	// PBX does not accept: every login fails with -1 FAILURE, and the fifth
	// in a row blocks the caller (70004), as on a real PBX.
	WrongCredentials bool
}

// String names the faults set, e.g. "slow 1s, wrong credentials"; "" for
// none.
func (f Fault) String() string {
	var parts []string
	if f.Down {
		parts = append(parts, "down")
	}
	if f.Slow > 0 {
		parts = append(parts, "slow "+f.Slow.String())
	}
	if f.WrongCredentials {
		parts = append(parts, "wrong credentials")
	}
	return strings.Join(parts, ", ")
}

// PBX is one running PBX of a Fleet.
type PBX struct {
	// ID is the PBX's id in the registry.
	ID string
	// URL is the PBX's base URL, http://HOST:PORT; nothing listens there
	// when the PBX is down.
	URL string
	// ClientID and ClientSecret are the credentials the PBX accepts; with
	// Fault.WrongCredentials the registry holds another secret.
	ClientID, ClientSecret string
	// WebhookSecret is the secret the PBX signs its webhook requests with.
	WebhookSecret string
	// SN is the PBX's serial number, as its events carry it.
	SN string
	// Fault is how the PBX misbehaves. Like the other fields, it is set by
	// NewFleet and only read after: a handler may be reading it.
	Fault Fault
	// Sim is the PBX's simulator: its recordings, faults and Stats. Its
	// URL is "": the PBX's is URL.
	Sim *Simulator

	sleep func(ctx context.Context, d time.Duration) error
	srv   *httptest.Server // nil when down
	// closePort frees the port of a down PBX (reservePort); nil otherwise.
	closePort func() error

	mu     sync.Mutex
	counts FleetFaultCounts
}

// FleetFaultCounts counts the fleet faults that fired on one PBX.
type FleetFaultCounts struct {
	// Slowed counts API calls held back by Fault.Slow, answered or not.
	Slowed int
	// SlowAbandoned counts the slowed calls whose request context ended
	// during the delay: they got no answer.
	SlowAbandoned int
	// FailedLogins and BlockedLogins are the simulator's Stats of the same
	// names: what Fault.WrongCredentials makes a client run into.
	FailedLogins, BlockedLogins int
}

// Faults returns what the PBX's faults did so far.
func (p *PBX) Faults() FleetFaultCounts {
	st := p.Sim.Stats()
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts
	c.FailedLogins, c.BlockedLogins = st.FailedLogins, st.BlockedLogins
	return c
}

// ServeHTTP serves the PBX's simulator, with Fault.Slow applied. Calling it
// directly, without the network, lets a synctest bubble run the delay on
// its fake clock.
func (p *PBX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.Fault.Slow > 0 && strings.HasPrefix(r.URL.Path, p.Sim.apiPrefix) {
		err := p.sleep(r.Context(), p.Fault.Slow)
		p.mu.Lock()
		p.counts.Slowed++
		if err != nil {
			p.counts.SlowAbandoned++
		}
		p.mu.Unlock()
		if err != nil {
			return // the client is gone: nobody reads an answer
		}
	}
	p.Sim.ServeHTTP(w, r)
}

// Entry is the PBX's registry entry: its URL, its credentials (a wrong
// client secret with Fault.WrongCredentials) and its webhook secret.
func (p *PBX) Entry() RegistryEntry {
	e := RegistryEntry{BaseURL: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, WebhookSecret: p.WebhookSecret}
	if p.Fault.WrongCredentials {
		e.ClientSecret = wrongSecret(p.ClientSecret)
	}
	return e
}

// wrongSecret returns a secret of the same length and alphabet as secret
// that differs from it in every character.
func wrongSecret(secret string) string {
	b := []byte(secret)
	for i, c := range b {
		j := strings.IndexByte(alphanumeric, c)
		b[i] = alphanumeric[(j+1)%len(alphanumeric)]
	}
	return string(b)
}

// PostCDR posts a 30012 event for cdr to url as this PBX does: its serial
// number in the event, signed with its webhook secret. It returns the HTTP
// status and up to 4 KiB of the answer.
func (p *PBX) PostCDR(ctx context.Context, client *http.Client, url string, cdr CDR) (int, string, error) {
	body, err := NewCDREvent(p.SN, cdr)
	if err != nil {
		return 0, "", err
	}
	return PostEvent(ctx, client, url, body, p.WebhookSecret)
}

// close stops the PBX's server and its simulator's downloads, or frees the
// port of a down PBX.
func (p *PBX) close() {
	p.Sim.Close()
	if p.closePort != nil {
		_ = p.closePort() // nothing was written: no data to lose
		p.closePort = nil
	}
	if p.srv != nil {
		p.srv.CloseClientConnections()
		p.srv.Close()
	}
}
