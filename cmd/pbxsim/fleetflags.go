package main

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// maxPBXs bounds -pbxs N: every PBX is a listener and a simulator.
const maxPBXs = 100

// fleet completes a configuration of many PBXs, named by pbxs, and checks
// the flags that go with it.
func (c config) fleet(pbxs string) (config, error) {
	if pbxs == "" {
		return config{}, errors.New("-fault and -registry-file need -pbxs")
	}
	ids, err := parsePBXs(pbxs)
	if err != nil {
		return config{}, err
	}
	c.pbxs = ids
	if c.clientID != "" || c.clientSecret != "" {
		return config{}, errors.New("-client-id and -client-secret are for one PBX: with -pbxs each PBX has its own, written to -registry-file")
	}
	if c.registryFile == "" {
		return config{}, errors.New("-pbxs needs -registry-file: the PBXs' credentials are written only there")
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil || port != "0" {
		return config{}, fmt.Errorf("-addr %q: with -pbxs, want host:0 (each PBX gets a port of its own)", c.addr)
	}
	c.host = host
	for _, id := range c.faults.ids() {
		if !slices.Contains(ids, id) {
			return config{}, fmt.Errorf("-fault %s: no such PBX in -pbxs", id)
		}
	}
	if c.tokenLifetime <= 0 {
		return config{}, fmt.Errorf("-token-lifetime %v: must be positive", c.tokenLifetime)
	}
	return c, nil
}

// parsePBXs parses -pbxs: a count N (ids pbx-1..pbx-N) or a comma-separated
// list of distinct ids.
func parsePBXs(v string) ([]string, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 1 || n > maxPBXs {
			return nil, fmt.Errorf("-pbxs %d: want 1 to %d", n, maxPBXs)
		}
		return yeastartest.FleetIDs(n), nil
	}
	ids := strings.Split(v, ",")
	for i, id := range ids {
		if !yeastartest.ValidPBXID(id) {
			return nil, fmt.Errorf("-pbxs: id %q: want 1 to 32 of a-z, 0-9 and -", id)
		}
		if slices.Contains(ids[:i], id) {
			return nil, fmt.Errorf("-pbxs: id %q given twice", id)
		}
	}
	return ids, nil
}

// faultFlags is the repeatable -fault flag: faults by PBX id. Faults given
// for one id add up.
type faultFlags map[string]yeastartest.Fault

// String lists the faults as id=fault pairs.
func (f *faultFlags) String() string {
	parts := make([]string, 0, len(*f))
	for _, id := range f.ids() {
		parts = append(parts, id+"="+(*f)[id].String())
	}
	return strings.Join(parts, " ")
}

// Set adds one id=fault.
func (f *faultFlags) Set(v string) error {
	id, kind, ok := strings.Cut(v, "=")
	if !ok || id == "" {
		return fmt.Errorf("%q: want id=down, id=slow:DURATION or id=badcreds", v)
	}
	if *f == nil {
		*f = faultFlags{}
	}
	fault := (*f)[id]
	switch name, arg, _ := strings.Cut(kind, ":"); {
	case kind == "down":
		fault.Down = true
	case kind == "badcreds":
		fault.WrongCredentials = true
	case name == "slow":
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q: slow needs a positive duration, e.g. slow:1s", v)
		}
		fault.Slow = d
	default:
		return fmt.Errorf("%q: unknown fault %q (down, slow:DURATION, badcreds)", v, kind)
	}
	(*f)[id] = fault
	return nil
}

// ids returns the ids with faults, sorted.
func (f *faultFlags) ids() []string {
	return slices.Sorted(maps.Keys(*f))
}

// fleetSpecs describes the PBXs of -pbxs: the simulator flags apply to
// each, the -recording ones too (nil: each PBX's default recordings).
func (c config) fleetSpecs() []yeastartest.PBXSpec {
	specs := make([]yeastartest.PBXSpec, len(c.pbxs))
	for i, id := range c.pbxs {
		specs[i] = yeastartest.PBXSpec{ID: id, Options: c.options(), Fault: c.faults[id]}
		if c.recordings != nil {
			specs[i].Recordings = slices.Clone([]yeastartest.Recording(c.recordings))
		}
	}
	return specs
}
