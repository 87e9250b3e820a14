package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// pbxParallel is how many PBXs are checked at once: each PBX is a
// different host, and a slow one should not make a hundred wait in line.
const pbxParallel = 8

// fleetRun is what the check of many PBXs needs besides the reporter.
type fleetRun struct {
	cfg        config.Config
	awsCfg     aws.Config
	queueURL   string
	webhookURL string
	since      time.Duration
	pbx        string // the one PBX to check; "" for every one
}

// checkPBXs checks the PBXs the registry lists, or the one named: the
// bucket and the queue once, then a section per PBX with its own steps
// and its own login, and a last line naming the PBXs that failed.
func checkPBXs(ctx context.Context, fr fleetRun, rep *reporter) {
	ids, f, ok := fleetToCheck(ctx, fr, rep)
	checkBucket(ctx, fr.awsCfg, fr.cfg, rep)
	checkQueue(ctx, fr.awsCfg, fr.queueURL, rep)
	if !ok {
		return
	}
	sections, failed := fr.checkAll(ctx, f, ids, rep)
	var bad, good []string
	for i, id := range ids {
		rep.section(f.header(ctx, id), sections[i].String())
		if failed[i] {
			bad = append(bad, id)
		} else {
			good = append(good, id)
		}
	}
	rep.gap()
	if len(bad) > 0 {
		rep.step(statusFail, "PBXs", fmt.Sprintf("%d of %d failed: %s; passed: %s", len(bad), len(ids), strings.Join(bad, ", "), listOrNone(good)),
			"see the FAIL lines of each failed PBX's section")
		return
	}
	rep.step(statusOK, "PBXs", "every PBX checked passed: "+strings.Join(good, ", "), "")
}

// checkAll checks the PBXs ids, pbxParallel at a time, each into a
// section of its own, and reports which failed.
func (fr fleetRun) checkAll(ctx context.Context, f *fleet, ids []string, rep *reporter) ([]bytes.Buffer, []bool) {
	sections := make([]bytes.Buffer, len(ids))
	failed := make([]bool, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, pbxParallel)
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sub := &reporter{w: &sections[i], red: rep.red}
			fr.checkOne(ctx, f, id, sub)
			failed[i] = sub.failed
		})
	}
	wg.Wait()
	return sections, failed
}

// fleetToCheck reads the registry and picks the PBXs to check, reporting
// what it read; ok is false when no PBX can be checked.
func fleetToCheck(ctx context.Context, fr fleetRun, rep *reporter) ([]string, *fleet, bool) {
	const name = "PBX registry"
	if !fr.cfg.Registry.Enabled() {
		rep.step(statusFail, name, fmt.Sprintf("no PBX %s: no PBX registry is configured, the one PBX is %s", strconv.QuoteToASCII(fr.pbx), pbxregistry.Default),
			"set PBX_REGISTRY_FILE (local) or PBX_SECRET_PREFIX (the stack's PbxSecretPrefix) to check the PBXs beyond the single one")
		return nil, nil, false
	}
	f, err := openFleet(ctx, fr.cfg, fr.awsCfg, rep.red)
	if err != nil {
		rep.step(statusFail, name, err.Error(),
			"for PBX_SECRET_PREFIX, use AWS credentials allowed secretsmanager:ListSecrets and secretsmanager:GetSecretValue on the prefix's secrets")
		return nil, nil, false
	}
	ids, err := selectPBXs(f.ids, fr.pbx)
	if err != nil {
		rep.step(statusFail, name, f.source+": "+err.Error(), "name one of them with --pbx, or add the PBX (README, Many PBXs)")
		return nil, nil, false
	}
	saw := fmt.Sprintf("%s: %d PBX(s): %s; checking %s", f.source, len(f.ids), listOrNone(f.ids), strings.Join(ids, ", "))
	if len(f.skipped) > 0 {
		rep.step(statusWarn, name, saw+"; not served: "+describeSkipped(f.skipped),
			"fix or delete what is not served: each is named with its reason")
	} else {
		rep.step(statusOK, name, saw, "")
	}
	return ids, f, true
}

// checkOne runs PBX id's steps, its webhook's included. The default PBX
// of the environment is checked as the single PBX is, its credentials
// perhaps in PBX_CREDENTIALS_SECRET.
func (fr fleetRun) checkOne(ctx context.Context, f *fleet, id string, rep *reporter) {
	if id == pbxregistry.Default && fr.cfg.HasDefaultPBX() {
		checkPBX(ctx, fr.cfg, fr.awsCfg, fr.since, rep)
	} else {
		// The registry was read once at the start and is not read again
		// within its refresh interval: the entry is there.
		e, _, _ := f.reg.Lookup(ctx, id)
		cfg := fr.cfg
		cfg.PBXBaseURL, cfg.PBXCACert = e.BaseURL, e.CACert
		creds := yeastar.Credentials{ClientID: e.ClientID, ClientSecret: e.ClientSecret}
		runPBXSteps(ctx, cfg, creds, entrySettings(id, f.where(id)), fr.since, rep)
	}
	checkPBXWebhook(ctx, fr.webhookURL, id, rep)
}

// header is the first line of PBX id's section.
func (f *fleet) header(ctx context.Context, id string) string {
	e, _, _ := f.reg.Lookup(ctx, id) // the ids came from the registry: an error leaves the URL out
	return fmt.Sprintf("PBX %s %s", id, e.BaseURL)
}
