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

.PHONY: all build test demo invoke bench lint tools clean help

all: build

help:
	@echo "make demo     run the function locally on the sample events and list the bucket"
	@echo "make test     vet, unit, integration and end-to-end tests"
	@echo "make invoke EVENT=events/<x>.json   invoke the function locally with one event"
	@echo "make bench    peak-RSS benchmark (1 GiB and 4 GiB through the real bootstrap)"
	@echo "make build    build bin/bootstrap for AWS Lambda ($(GOARCH_LAMBDA))"
	@echo "make lint     gofmt and go vet"

## tools: the S3 server and the Lambda Runtime Interface Emulator, pinned in tools/go.mod
tools: $(BIN)/versitygw $(BIN)/aws-lambda-rie

$(BIN)/versitygw: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/versity/versitygw/cmd/versitygw

$(BIN)/aws-lambda-rie: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

build:
	mkdir -p bin
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o bin/bootstrap $(FUNCTION)

# Used by `sam build` (BuildMethod: makefile) for the RecordingSyncFunction resource.
build-RecordingSyncFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(FUNCTION)

test: tools
	$(GO) vet ./...
	$(GO) test -count=1 ./...

demo: tools
	$(GO) run ./cmd/local demo

invoke: tools
	$(GO) run ./cmd/local invoke $(EVENT)

bench: tools
	$(GO) test -run '^$$' -bench PeakRSS -benchtime $(BENCHTIME) $(FUNCTION)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-ed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...


clean:
	rm -rf bin .aws-sam
