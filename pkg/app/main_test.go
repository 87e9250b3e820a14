package app

import (
	"os"
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
)

// The S3 server is shared by the tests of the binary that need one, started
// by the first of them.
var server localenvtest.Server

func TestMain(m *testing.M) {
	code := m.Run()
	server.Close(code != 0)
	os.Exit(code)
}
