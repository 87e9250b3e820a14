package sealedobj

import (
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
)

// The S3 server is shared by all tests of the binary and started by the
// first test that needs it.
var server localenvtest.Server

func TestMain(m *testing.M) { localenvtest.S3Main(m, &server) }
