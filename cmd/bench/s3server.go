package main

import (
	"context"
	"io"

	"github.com/recording-sync/recording-sync/pkg/localenv"
)

// startS3 runs the local S3 server over HTTPS with cert over dataDir; its
// log goes to out.
func startS3(ctx context.Context, dataDir string, cert *certFiles, out io.Writer) (*localenv.S3Server, error) {
	return localenv.StartS3TLS(ctx, dataDir, cert.CertFile, cert.KeyFile, out)
}
