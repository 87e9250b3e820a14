//go:build tools

// Package lint pins the linters in a module of their own, so that their
// dependencies never mix with the product's or the other tools'.
package lint

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "golang.org/x/vuln/cmd/govulncheck"
)
