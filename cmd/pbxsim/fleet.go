package main

import (
	"context"
	"fmt"
	"io"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// serveFleet serves the PBXs of -pbxs until ctx is done, having written
// their registry file and printed where each of them is.
func serveFleet(ctx context.Context, cfg config, stdout io.Writer) error {
	f, err := startFleet(cfg, yeastartest.FleetOptions{})
	if err != nil {
		return err
	}
	defer f.Close()
	if err := printFleet(stdout, f, cfg.registryFile); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// startFleet starts the PBXs cfg names and writes their registry file.
// opts.Host is cfg's.
func startFleet(cfg config, opts yeastartest.FleetOptions) (*yeastartest.Fleet, error) {
	opts.Host = cfg.host
	f, err := yeastartest.NewFleet(cfg.fleetSpecs(), opts)
	if err != nil {
		return nil, err
	}
	if err := f.WriteRegistry(cfg.registryFile); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// printFleet prints one line per PBX, its URL and its faults, and where
// the registry is. Secrets stay in the registry file.
func printFleet(w io.Writer, f *yeastartest.Fleet, registryFile string) error {
	for _, p := range f.PBXs() {
		var err error
		switch fault := p.Fault.String(); {
		case p.Fault.Down:
			_, err = fmt.Fprintf(w, "PBX simulator %s down at %s (connection refused)\n", p.ID, p.URL)
		case fault != "":
			_, err = fmt.Fprintf(w, "PBX simulator %s listening on %s (%s)\n", p.ID, p.URL, fault)
		default:
			_, err = fmt.Fprintf(w, "PBX simulator %s listening on %s\n", p.ID, p.URL)
		}
		if err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "PBX registry written to %s\n", registryFile)
	return err
}
