# The project's verbs, grouped as the README presents them: try it locally,
# test, build and deploy, measure. Everything installs what it needs from the
# Go module proxy into the git-ignored .bin folder; no Docker, no AWS account
# (but for deploy).

GO            ?= go
BIN           := $(CURDIR)/.bin
GOARCH_LAMBDA ?= arm64
# The Lambda build: the binary is named bootstrap for provided.al2023.
LAMBDA_BUILD   = CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w"

# The functions, by their logical IDs in template.yaml, and their main packages.
FUNCTIONS := RecordingSyncFunction PbxWebhookFunction RecordingReconcileFunction
RecordingSyncFunction_DIR      := ./functions/recording-sync
PbxWebhookFunction_DIR         := ./functions/pbx-webhook
RecordingReconcileFunction_DIR := ./functions/recording-reconcile

# The build-<LogicalId> targets are not listed: make skips pattern rules for
# phony targets.
.PHONY: help demo invoke reconcile test lint lint-template fuzz vulncheck build deploy check-setup clean \
	bench bench-rss bench-webhook bench-reconcile bench-path tools

help:
	@echo "Try it locally"
	@echo "  make demo                 run the functions on the sample events, list the bucket, sum up the metrics"
	@echo "  make invoke EVENT=events/<x>.json [S3_ENDPOINT=... BUCKET=...]   invoke the copy function with one event"
	@echo "  make reconcile FROM=<RFC 3339> TO=<RFC 3339>   backfill a period against the local stack"
	@echo "Test"
	@echo "  make test                 go vet, then every test with the race detector"
	@echo "  make lint                 gofmt, go vet, golangci-lint, cfn-lint on template.yaml"
	@echo "  make fuzz [FUZZTIME=10s]  every fuzz target"
	@echo "  make vulncheck            govulncheck (needs the Go vulnerability database online)"
	@echo "Build and deploy"
	@echo "  make build                the three functions' bootstraps (linux/$(GOARCH_LAMBDA)) in bin/<LogicalId>/"
	@echo "  make deploy               sam build, then sam deploy (guided the first time)"
	@echo "  make check-setup [WEBHOOK_URL=...] [PBX=id]   check the PBX(s), the bucket, the queue and the webhook, a line per step"
	@echo "  make clean                remove bin and .aws-sam"
	@echo "Measure"
	@echo "  make bench                the copy against the SDK's uploader and naive ways; writes docs/performance.md"
	@echo "  make bench-rss            peak RSS of the copy function, 1 GiB and 4 GiB"
	@echo "  make bench-webhook        1,000 signed posts through the webhook function, 50 at a time"
	@echo "  make bench-reconcile [PBXS=100]   the reconciler's requests and peak RSS over 10,000 recordings (or PBXS PBXs x 1,000)"
	@echo "  make bench-path [BENCH_PATH_RATE=20 BENCH_PATH_DURATION=60s]   the whole path under load, call end to stored"

## Try it locally

EVENT ?= events/direct-id.json

demo: tools
	$(GO) run ./cmd/local demo

# invoke: against the local S3 server, or with S3_ENDPOINT and BUCKET against
# an S3 server of yours (e.g. MinIO) and an existing bucket, with the AWS
# credentials, AWS_REGION and AWS_CA_BUNDLE of your environment.
invoke: tools
	$(GO) run ./cmd/local invoke $(if $(S3_ENDPOINT)$(BUCKET),-s3-endpoint '$(S3_ENDPOINT)' -bucket '$(BUCKET)') $(EVENT)

# reconcile: a backfill of [FROM, TO] (RFC 3339) against the local stack: the
# PBX simulator, the local S3 server, the local queue and the copy function.
# The defaults cover the local simulator's sample recordings.
FROM ?= 2022-04-01T00:00:00Z
TO   ?= 2022-06-01T00:00:00Z
reconcile: tools
	$(GO) run ./cmd/local reconcile '$(FROM)' '$(TO)'

## Test

test: tools
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

lint: $(BIN)/golangci-lint lint-template
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-ed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/golangci-lint run --allow-parallel-runners ./...

# lint-template: cfn-lint, what `sam validate --lint` runs (pip install
# cfn-lint). Optional on a workstation; CI (CI=true) requires it.
lint-template:
	@if command -v cfn-lint >/dev/null; then echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	elif [ "$(CI)" = true ]; then echo "cfn-lint is not installed, and CI requires it (pip install cfn-lint)"; exit 1; \
	else echo "cfn-lint is not installed: template.yaml not linted (pip install cfn-lint)"; fi

# fuzz: every Fuzz target under pkg/, one after another (go test fuzzes one
# target per invocation), each for FUZZTIME. Targets are found by name in
# the *_test.go files, so a new one needs no change here. A failing input is
# written to the package's testdata/fuzz/<Target>/: commit it as a regression.
FUZZTIME ?= 10s
fuzz:
	@set -e; for dir in $$(grep -l '^func Fuzz' $$(find pkg -name '*_test.go') | xargs -n1 dirname | sort -u); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)([a-z]* \*testing\.F).*/\1/p' $$dir/*_test.go); do \
			echo "fuzz ./$$dir $$name for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

# Needs https://vuln.go.dev (the Go vulnerability database); CI has no route to it.
vulncheck: $(BIN)/govulncheck
	$(BIN)/govulncheck ./...

## Build and deploy

# build-<LogicalId>: what `sam build` runs for each function (BuildMethod:
# makefile), with ARTIFACTS_DIR set; make build sets it to bin/<LogicalId>.
build-%Function:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap $(or $($*Function_DIR),$(error $*Function is none of $(FUNCTIONS)))
build-%Function: ARTIFACTS_DIR ?= bin/$*Function

build: $(FUNCTIONS:%=build-%)

# deploy: the first time (no samconfig.toml yet) guided: it asks for the
# template's parameters and saves the answers in samconfig.toml.
deploy:
	sam build
	sam deploy $(if $(wildcard samconfig.toml),,--guided)

# check-setup: checks a setup against the real PBX and the deployed stack,
# one line per step (cmd/setupcheck, docs/setup-check.md). It reads the
# functions' environment (PBX_*, RECORDINGS_*, AWS_*); WEBHOOK_URL is the
# stack's WebhookUrl output. With PBX_REGISTRY_FILE or PBX_SECRET_PREFIX it
# checks every PBX, or the one PBX names.
check-setup:
	$(GO) run ./cmd/setupcheck $(if $(WEBHOOK_URL),-webhook-url '$(WEBHOOK_URL)') $(if $(PBX),--pbx '$(PBX)')

clean:
	rm -rf bin .aws-sam

## Measure

# bench: the function's copy against the SDK's default uploader, an
# upload-only ceiling and the naive ways, S3 over HTTPS, each in its own
# process; prints the table and writes docs/performance.md (cmd/bench).
# Every measurement runs BENCH_RUNS times (medians reported), then the
# upload defaults are swept at BENCH_SWEEP. A quick look:
# `make bench BENCH_SIZES=1MiB,64MiB BENCH_RUNS=1 BENCH_SWEEP=`.
BENCH_SIZES ?= 1MiB,64MiB,1GiB,4GiB
BENCH_RUNS  ?= 3
BENCH_SWEEP ?= 1GiB
bench: tools
	$(GO) run ./cmd/bench -sizes '$(BENCH_SIZES)' -runs '$(BENCH_RUNS)' -sweep '$(BENCH_SWEEP)' -out docs/performance.md \
		-command 'make bench BENCH_SIZES=$(BENCH_SIZES) BENCH_RUNS=$(BENCH_RUNS) BENCH_SWEEP=$(BENCH_SWEEP)'

# bench-rss: peak RSS of the real bootstrap under the emulator, 1 and 4 GiB.
BENCHTIME ?= 1x
bench-rss: tools
	$(GO) test -run '^$$' -bench PeakRSS -benchtime $(BENCHTIME) $(RecordingSyncFunction_DIR)

# bench-webhook: 1,000 signed posts, 50 at a time, through the built webhook
# function under 10 emulators; every one must be queued exactly once.
# Figures: docs/webhook-load.md.
bench-webhook: tools
	$(GO) test -run '^$$' -bench WebhookLoad -benchtime 1x $(PbxWebhookFunction_DIR)

# bench-reconcile: the reconciler's efficiency over 10,000 recordings with 100
# missing, through the built bootstrap under the emulator; PBXS=n (n > 1): one
# scheduled run over n simulated PBXs of 1,000 recordings, 10 of each missing
# (docs/reconcile-performance.md).
PBXS ?= 1
bench-reconcile: tools
	PBXS=$(PBXS) $(GO) test -run '^$$' -bench Reconcile -benchtime 1x -timeout 60m $(RecordingReconcileFunction_DIR)

# bench-path: the whole path under load: calls ending at BENCH_PATH_RATE a
# second for BENCH_PATH_DURATION, signed posts to the webhook, the queue and
# its event-source mapping with the template's settings, the copy into S3;
# then the same calls with the SDK's default uploader in the copy
# (cmd/benchpath). BENCH_PATH_FLAGS adds more, e.g. a sweep:
# `BENCH_PATH_FLAGS='-batch-size 1,5,10 -window 0,1,5 -baseline=false'`.
BENCH_PATH_RATE     ?= 20
BENCH_PATH_DURATION ?= 60s
BENCH_PATH_FLAGS    ?=
# The copy function gets Lambda's CPU share and memory limit for its memory
# setting where the cgroup v1 hierarchies are writable (Linux, as root);
# elsewhere its billed seconds are a lower bound (cmd/benchpath -lambda-limits).
BENCH_PATH_LIMITS   ?= $(shell test -w /sys/fs/cgroup/cpu -a -w /sys/fs/cgroup/memory && echo -lambda-limits)
bench-path: tools
	$(GO) run ./cmd/benchpath -rate '$(BENCH_PATH_RATE)' -duration '$(BENCH_PATH_DURATION)' $(BENCH_PATH_LIMITS) $(BENCH_PATH_FLAGS)

## Tools, pinned: the S3 server and the Lambda Runtime Interface Emulator in
## tools/go.mod; golangci-lint and govulncheck in tools/lint/go.mod.

tools: $(BIN)/versitygw $(BIN)/aws-lambda-rie

$(BIN)/versitygw: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/versity/versitygw/cmd/versitygw

$(BIN)/aws-lambda-rie: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

$(BIN)/golangci-lint: tools/lint/go.mod tools/lint/go.sum
	cd tools/lint && GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint

$(BIN)/govulncheck: tools/lint/go.mod tools/lint/go.sum
	cd tools/lint && GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck
