package localenvtest

import (
	"path/filepath"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// StartFleet starts the simulated PBXs of specs until the test ends, and
// returns them with the path of their registry file (PBX_REGISTRY_FILE).
func StartFleet(t testing.TB, specs []yeastartest.PBXSpec) (*yeastartest.Fleet, string) {
	t.Helper()
	fleet, err := yeastartest.NewFleet(specs, yeastartest.FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fleet.Close)
	path := filepath.Join(t.TempDir(), "pbxs.json")
	if err := fleet.WriteRegistry(path); err != nil {
		t.Fatal(err)
	}
	return fleet, path
}
