package main

import (
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
)

// s3srv is the local S3 server the tests share.
var s3srv localenvtest.Server

func TestMain(m *testing.M) { localenvtest.S3Main(m, &s3srv) }
