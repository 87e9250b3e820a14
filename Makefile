# The project's verbs. Everything installs what it needs from the Go module
# proxy into the git-ignored .bin folder; no Docker, no AWS account.

GO       ?= go
BIN      := $(CURDIR)/.bin
FUNCTION := ./functions/recording-sync
# Flags of the Lambda build: the binary is named bootstrap for provided.al2023.
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"
GOARCH_LAMBDA ?= arm64
EVENT ?= events/direct-id.json
BENCHTIME ?= 1x

.PHONY: all build test demo invoke bench lint vulncheck tools clean help

all: build

help:
	@echo "make demo     run the function locally on the sample events and list the bucket"
	@echo "make test     vet, unit, integration and end-to-end tests"
	@echo "make invoke EVENT=events/<x>.json   invoke the function locally with one event"
	@echo "make invoke EVENT=... S3_ENDPOINT=http://127.0.0.1:9000 BUCKET=<b>   the same against your S3 server"
	@echo "make bench    copy benchmark against the SDK defaults and naive ways; writes docs/performance.md"
	@echo "make bench-rss  peak-RSS benchmark (1 GiB and 4 GiB through the real bootstrap)"
	@echo "make bench-webhook  load benchmark of the webhook function (1,000 signed posts, 50 at a time)"
	@echo "make reconcile FROM=<RFC 3339> TO=<RFC 3339>   backfill a period against the local stack"
	@echo "make bench-reconcile  the reconciler's requests and peak RSS over 10,000 recordings"
	@echo "make build    build bin/bootstrap for AWS Lambda ($(GOARCH_LAMBDA))"
	@echo "make lint     gofmt, go vet and golangci-lint (.golangci.yml)"
	@echo "make vulncheck  govulncheck (needs the Go vulnerability database online)"

## tools: the S3 server and the Lambda Runtime Interface Emulator, pinned in tools/go.mod
tools: $(BIN)/versitygw $(BIN)/aws-lambda-rie

$(BIN)/versitygw: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/versity/versitygw/cmd/versitygw

$(BIN)/aws-lambda-rie: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

## lint tools: golangci-lint and govulncheck, pinned in their own module, tools/lint/go.mod
$(BIN)/golangci-lint: tools/lint/go.mod tools/lint/go.sum
	cd tools/lint && GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint

$(BIN)/govulncheck: tools/lint/go.mod tools/lint/go.sum
	cd tools/lint && GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck

build:
	mkdir -p bin
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o bin/bootstrap $(FUNCTION)

# Used by `sam build` (BuildMethod: makefile) for the RecordingSyncFunction resource.
build-RecordingSyncFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(FUNCTION)

# Used by `sam build` for the PbxWebhookFunction resource (the PBX's webhook).
WEBHOOK_FUNCTION := ./functions/pbx-webhook
build-PbxWebhookFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(WEBHOOK_FUNCTION)

test: tools
	$(GO) vet ./...
	$(GO) test -count=1 ./...

demo: tools
	$(GO) run ./cmd/local demo

# invoke: against the local S3 server, or with S3_ENDPOINT and BUCKET against
# an S3 server of yours (e.g. MinIO) and an existing bucket, with the AWS
# credentials, AWS_REGION and AWS_CA_BUNDLE of your environment.
invoke: tools
	$(GO) run ./cmd/local invoke $(if $(S3_ENDPOINT)$(BUCKET),-s3-endpoint '$(S3_ENDPOINT)' -bucket '$(BUCKET)') $(EVENT)

# bench: the function's copy against the SDK's default uploader, an
# upload-only ceiling and the naive ways, S3 over HTTPS, each in its own
# process; prints the table and writes docs/performance.md (cmd/bench).
# Every measurement runs BENCH_RUNS times (medians reported), then the
# upload defaults are swept at BENCH_SWEEP. A quick look:
# `make bench BENCH_SIZES=1MiB,64MiB BENCH_RUNS=1 BENCH_SWEEP=`.
BENCH_SIZES ?= 1MiB,64MiB,1GiB,4GiB
BENCH_RUNS ?= 3
BENCH_SWEEP ?= 1GiB
bench: tools
	$(GO) run ./cmd/bench -sizes '$(BENCH_SIZES)' -runs '$(BENCH_RUNS)' -sweep '$(BENCH_SWEEP)' -out docs/performance.md \
		-command 'make bench BENCH_SIZES=$(BENCH_SIZES) BENCH_RUNS=$(BENCH_RUNS) BENCH_SWEEP=$(BENCH_SWEEP)'

# bench-rss: peak RSS of the real bootstrap under the emulator, 1 and 4 GiB.
.PHONY: bench-rss
bench-rss: tools
	$(GO) test -run '^$$' -bench PeakRSS -benchtime $(BENCHTIME) $(FUNCTION)

# bench-webhook: 1,000 signed posts, 50 at a time, through the built webhook
# function under 10 emulators (its reserved concurrency); every one must be
# queued exactly once. Figures: docs/webhook-load.md.
.PHONY: bench-webhook
bench-webhook: tools
	$(GO) test -run '^$$' -bench WebhookLoad -benchtime 1x ./functions/pbx-webhook

lint: $(BIN)/golangci-lint
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-ed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/golangci-lint run ./...

# Needs https://vuln.go.dev (the Go vulnerability database); CI has no route to it.
vulncheck: $(BIN)/govulncheck
	$(BIN)/govulncheck ./...

# fuzz: every Fuzz target under pkg/, one after another (go test fuzzes one
# target per invocation), each for FUZZTIME. Targets are found by name in
# the *_test.go files, so a new one needs no change here. A failing input is
# written to the package's testdata/fuzz/<Target>/: commit it as a regression.
FUZZTIME ?= 10s

.PHONY: fuzz
fuzz:
	@set -e; for dir in $$(grep -l '^func Fuzz' $$(find pkg -name '*_test.go') | xargs -n1 dirname | sort -u); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)([a-z]* \*testing\.F).*/\1/p' $$dir/*_test.go); do \
			echo "fuzz ./$$dir $$name for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

clean:
	rm -rf bin .aws-sam

## The reconciler: lists what the PBX has in a window and queues what the bucket lacks.
RECONCILE_FUNCTION := ./functions/recording-reconcile

# Used by `sam build` (BuildMethod: makefile) for the RecordingReconcileFunction resource.
build-RecordingReconcileFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(RECONCILE_FUNCTION)

# reconcile: a backfill of [FROM, TO] (RFC 3339) against the local stack:
# the PBX simulator, the local S3 server, the local queue and the copy function.
# The defaults cover the local simulator's sample recordings.
FROM ?= 2022-04-01T00:00:00Z
TO ?= 2022-06-01T00:00:00Z
.PHONY: reconcile
reconcile: tools
	$(GO) run ./cmd/local reconcile '$(FROM)' '$(TO)'

# bench-reconcile: the reconciler's efficiency over 10,000 recordings with 100
# missing, through the built bootstrap under the emulator (docs/reconcile-performance.md).
.PHONY: bench-reconcile
bench-reconcile: tools
	$(GO) test -run '^$$' -bench Reconcile -benchtime 1x $(RECONCILE_FUNCTION)

## check-setup: checks a setup against the real PBX and the deployed stack,
## one line per step (cmd/setupcheck, docs/setup-check.md). It reads the
## functions' environment (PBX_*, RECORDINGS_*, AWS_*); WEBHOOK_URL is the
## stack's WebhookUrl output.
.PHONY: check-setup
check-setup:
	$(GO) run ./cmd/setupcheck $(if $(WEBHOOK_URL),-webhook-url '$(WEBHOOK_URL)')
