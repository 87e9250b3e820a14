package yeastartest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"time"

	"github.com/recording-sync/recording-sync/internal/wait"
)

// pbxIDPattern is what a PBX id may be: the registry's keys, the {pbx} of an
// object key and the last segment of a PBX's webhook URL.
var pbxIDPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// ValidPBXID reports whether id is a valid PBX id: 1 to 32 characters of
// a-z, 0-9 and '-'.
func ValidPBXID(id string) bool { return pbxIDPattern.MatchString(id) }

// FleetIDs returns the ids pbx-1 .. pbx-n.
func FleetIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "pbx-" + strconv.Itoa(i+1)
	}
	return ids
}

// PBXSpec describes one PBX of a fleet.
type PBXSpec struct {
	// ID names the PBX in the registry (ValidPBXID).
	ID string
	// Options configure its simulator. Empty ClientID, ClientSecret are
	// replaced by random ones, as a PBX generates them.
	Options Options
	// Recordings are what the PBX holds; nil means FleetRecordings of the
	// PBX's position in the fleet.
	Recordings []Recording
	// Fault is how the PBX misbehaves; the zero Fault is a healthy PBX.
	Fault Fault
}

// FleetOptions configure a whole fleet. The zero value serves every PBX on
// 127.0.0.1 with the real clock.
type FleetOptions struct {
	// Host is the address every PBX listens on, each on a port of its own
	// (default 127.0.0.1).
	Host string
	// Sleep waits for a slow PBX's delay (default a timer, so that a
	// handler called inside a synctest bubble waits on the bubble's
	// clock). It must return early, with ctx's error, when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Fleet is a set of simulated PBXs, each on its own loopback listener with
// its own credentials, webhook secret, recordings and faults: what a stack
// serving many PBXs talks to in tests and demos. Registry describes it in
// the PBX_REGISTRY_FILE format.
type Fleet struct {
	pbxs []*PBX
	byID map[string]*PBX
}

// NewFleet starts one PBX per spec. The ids must be valid and distinct. The
// caller must Close the fleet.
func NewFleet(specs []PBXSpec, opts FleetOptions) (_ *Fleet, err error) {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Sleep == nil {
		opts.Sleep = wait.For
	}
	f := &Fleet{byID: make(map[string]*PBX, len(specs))}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	for i, spec := range specs {
		if !ValidPBXID(spec.ID) {
			return nil, fmt.Errorf("PBX id %q: want 1 to 32 of a-z, 0-9 and -", spec.ID)
		}
		if f.byID[spec.ID] != nil {
			return nil, fmt.Errorf("PBX id %q: given twice", spec.ID)
		}
		if spec.Recordings == nil {
			spec.Recordings = FleetRecordings(i + 1)
		}
		p, err := startPBX(spec, i+1, opts)
		if err != nil {
			return nil, fmt.Errorf("PBX %s: %w", spec.ID, err)
		}
		f.pbxs = append(f.pbxs, p)
		f.byID[spec.ID] = p
	}
	return f, nil
}

// PBXs returns the fleet's PBXs in the order they were given.
func (f *Fleet) PBXs() []*PBX { return append([]*PBX(nil), f.pbxs...) }

// PBX returns the PBX with id, or nil.
func (f *Fleet) PBX(id string) *PBX { return f.byID[id] }

// Close stops every PBX. It is safe to call more than once.
func (f *Fleet) Close() {
	for _, p := range f.pbxs {
		p.close()
	}
}

// startPBX makes the simulator of spec, the PBX at position i (from 1),
// and serves it, or, for a PBX that is down, leaves its port closed.
func startPBX(spec PBXSpec, i int, opts FleetOptions) (*PBX, error) {
	o := spec.Options
	if o.ClientID == "" || o.ClientSecret == "" {
		o.ClientID, o.ClientSecret = randomText(32), randomText(32)
	}
	p := &PBX{
		ID:            spec.ID,
		Fault:         spec.Fault,
		ClientID:      o.ClientID,
		ClientSecret:  o.ClientSecret,
		WebhookSecret: randomText(32),
		SN:            fmt.Sprintf("3631A2124%03d", i),
		Sim:           New(o),
		sleep:         opts.Sleep,
	}
	for _, r := range spec.Recordings {
		p.Sim.AddRecording(r)
	}
	if spec.Fault.Down {
		addr, closePort, err := reservePort(opts.Host)
		if err != nil {
			p.Sim.Close()
			return nil, fmt.Errorf("reserve a port: %w", err)
		}
		p.URL, p.closePort = "http://"+addr, closePort
		return p, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(opts.Host, "0"))
	if err != nil {
		p.Sim.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	p.URL = "http://" + ln.Addr().String()
	p.srv = &httptest.Server{
		Listener: ln,
		Config:   &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute},
	}
	p.srv.Start()
	return p, nil
}
