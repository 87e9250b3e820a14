package localenvtest

import (
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// ClosedURL returns a scheme:// URL on a loopback port nothing listens on,
// for tests of a server that cannot be reached.
func ClosedURL(t testing.TB, scheme string) string {
	t.Helper()
	addr, err := localenv.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return scheme + "://" + addr
}
