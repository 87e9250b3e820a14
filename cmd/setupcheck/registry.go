package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// fleet is the PBXs the registry lists, as read once for this run.
type fleet struct {
	reg     *pbxregistry.Registry
	ids     []string
	skipped []pbxregistry.Skipped
	// source names the registry, e.g. "PBX_REGISTRY_FILE pbxs.json".
	source string
	// where names the place of PBX id's entry, for the steps' fixes.
	where func(id string) string
}

// openFleet reads the registry cfg names once, with the single PBX of cfg
// as default when the environment describes one; every secret read is
// registered with red before anything is printed.
func openFleet(ctx context.Context, cfg config.Config, awsCfg aws.Config, red *redact.Redactor) (*fleet, error) {
	f, r := &fleet{}, cfg.Registry
	var src pbxregistry.Source
	switch {
	case r.File != "":
		src, f.source = pbxregistry.File(r.File), "PBX_REGISTRY_FILE "+r.File
		f.where = func(string) string { return "PBX_REGISTRY_FILE" }
	case r.SecretPrefix != "":
		src, f.source = pbxregistry.Secrets(secretsmanager.NewFromConfig(awsCfg), r.SecretPrefix), "PBX_SECRET_PREFIX "+r.SecretPrefix
		f.where = func(id string) string { return "the secret " + r.SecretPrefix + id }
	}
	opts := &pbxregistry.Options{OnRead: func(_ context.Context, rep pbxregistry.Report) {
		for _, e := range rep.Entries {
			for _, s := range e.Secrets() {
				red.Add(s)
			}
		}
		f.skipped = rep.Skipped
	}}
	if cfg.HasDefaultPBX() {
		def := pbxregistry.FromConfig(cfg)
		opts.Default = &def
	}
	reg, err := pbxregistry.New(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.source, err)
	}
	if f.ids, err = reg.IDs(ctx); err != nil {
		return nil, err
	}
	f.reg = reg
	return f, nil
}

// selectPBXs returns the PBXs to check: want alone, or every one when want
// is empty. An id the registry lacks is an error listing the ids it has.
func selectPBXs(ids []string, want string) ([]string, error) {
	if want == "" {
		return ids, nil
	}
	if !slices.Contains(ids, want) {
		return nil, fmt.Errorf("no PBX %s: the PBXs are %s", strconv.QuoteToASCII(want), listOrNone(ids))
	}
	return []string{want}, nil
}

// describeSkipped names each secret or entry not served as a PBX, and why.
func describeSkipped(skipped []pbxregistry.Skipped) string {
	parts := make([]string, len(skipped))
	for i, s := range skipped {
		parts[i] = s.Name + " (" + s.Reason + ")"
	}
	return strings.Join(parts, "; ")
}

// listOrNone joins ids with commas, or says there are none.
func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
