package reconcileapp

import (
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
)

// The S3 server is shared by the tests of the binary that need one, started
// by the first of them.
var server localenvtest.Server

func TestMain(m *testing.M) { localenvtest.S3Main(m, &server) }
