package main

import (
	"context"
	"io"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// startS3 runs the local S3 server over HTTPS with cert over dataDir,
// logging every request to accessLog; its own log goes to out.
func startS3(ctx context.Context, dataDir, accessLog string, cert *localenv.CertFiles, out io.Writer) (*localenv.S3Server, error) {
	return localenv.StartS3TLS(ctx, dataDir, cert.CertFile, cert.KeyFile, accessLog, out)
}
