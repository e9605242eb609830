# Plasmite (Go) — the one entry point.
#
#   make            build the CLI (build/bin) and libplasmite (build/lib, build/include)
#   make demo       build, then run a first local workflow in a scratch directory
#   make test       every test: Go (core, lite3, cli, conformance, interop, the web UI in Chromium),
#                   C ABI, Python and Node bindings, fuzz seeds, platform matrix, -race, the SDK archive
#   make bench      benchmarks with -benchmem, side by side with the reference release
#   make node       the Node binding's addon and package assets (bindings/node/native/), npm ci
#   make stress     crash loop and delivery check, printing figures (STRESS_ROUNDS=N for a long run)
#   make install    PREFIX=/some/dir: bin/, lib/, include/, lib/pkgconfig/
#   make dist       the SDK archive dist/plasmite_<version>_<os>_<arch>.tar.gz (the same tree)
#   make ref        install the reference release (1.2.1) into .ref/ (git-ignored)

GO       ?= go
PYTHON   ?= python3
PREFIX   ?= /usr/local
BUILD    := build
VENV     := $(BUILD)/venv
VERSION  := $(shell cat VERSION)
LDFLAGS  := -s -w -X github.com/plasmite-go/plasmite/core.Version=$(VERSION)
GOFILES  := $(shell find . -name '*.go' -not -path './.ref/*' -not -path './build/*')
DIST     := dist/plasmite_$(VERSION)_$(shell $(GO) env GOOS)_$(shell $(GO) env GOARCH).tar.gz
# Files the binary embeds (the web UI).
EMBEDDED := $(wildcard ui/assets/*)

export GOFLAGS := -buildvcs=false

.PHONY: all cli lib node demo test test-go test-nonotify test-c test-python test-node test-node-ref test-platforms test-race test-dist dist bench stress install ref clean fmt vet browser

all: cli lib

cli: $(BUILD)/bin/plasmite $(BUILD)/bin/pls

$(BUILD)/bin/plasmite: $(GOFILES) $(EMBEDDED) go.mod go.sum VERSION
	@mkdir -p $(BUILD)/bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./cli

# `pls` is the same program; it tells itself apart by argv[0].
$(BUILD)/bin/pls: $(BUILD)/bin/plasmite
	ln -f $< $@

lib:
	@if [ -d capi ] && ls capi/*.go >/dev/null 2>&1; then $(MAKE) --no-print-directory -f scripts/lib.mk BUILD=$(BUILD) VERSION=$(VERSION); fi

demo: all
	@scripts/demo.sh $(BUILD)/bin/pls

# ---- tests ---------------------------------------------------------------

# Everything, in the order a failure is cheapest to read.
test: ref all fmt vet test-platforms test-go test-nonotify test-race test-c test-python test-dist test-node

fmt:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The web UI's tests drive a real headless Chromium: Debian's package, installed here when missing
# (as root, with apt; fonts-liberation makes the screenshots legible). Without it they skip, loudly.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null \
	      || echo "*** could not install chromium: the browser tests will be skipped ***"; \
	  else echo "*** chromium is missing and cannot be installed here (needs root and apt-get): the browser tests will be skipped ***"; fi; }

# Where `browser` can install Chromium (root with apt, as in CI), a browser test that cannot
# start one fails instead of skipping.
REQUIRE_BROWSER := $(shell [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && echo 1)

# PLASMITE_REF points the interop tests at the reference; REQUIRE makes them fail instead of skip.
test-go: cli browser
	PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 PLASMITE_REQUIRE_BROWSER=$(REQUIRE_BROWSER) \
		PLASMITE_BIN=$(CURDIR)/$(BUILD)/bin/plasmite \
		$(GO) test -count=1 -timeout 20m ./...
	PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 $(GO) test -race -short -count=1 -timeout 10m ./bindings/go/...

# Correctness never depends on wake-ups: the engine's tests pass with notify disabled.
test-nonotify:
	PLASMITE_NOTIFY=off $(GO) test -count=1 -timeout 10m ./core/

test-c: lib
	@if [ -x scripts/test-c.sh ]; then scripts/test-c.sh $(BUILD); fi

# linux and darwin, amd64 and arm64: pure-Go packages build and vet; capi cross-builds for
# linux/arm64 (installing gcc-aarch64-linux-gnu when root) and vets for darwin.
test-platforms:
	scripts/cross.sh

# The race detector on the engine and the C ABI's Go side.
test-race: ref
	PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 $(GO) test -race -count=1 -timeout 10m ./core ./capi

# The SDK archive unpacked alone: layout, pkg-config, the C example built and run against it.
test-dist: dist
	scripts/test-dist.sh $(DIST)

# The Python binding (bindings/python): pytest in a virtual environment of its own.
test-python: ref cli lib $(VENV)/installed
	cd bindings/python && PLASMITE_LIB_DIR=$(CURDIR)/$(BUILD)/lib PLASMITE_BIN=$(CURDIR)/$(BUILD)/bin/plasmite \
		PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 $(CURDIR)/$(VENV)/bin/python -m pytest -q -p no:cacheprovider

$(VENV)/installed: bindings/python/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -r $<
	touch $@

node: all
	BUILD=$(BUILD) scripts/node.sh build

test-node: all
	PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 BUILD=$(BUILD) scripts/node.sh test

# The reference release's own Node tests against this package (prints the pass count).
test-node-ref: ref all
	PLASMITE_REF=$(CURDIR)/.ref BUILD=$(BUILD) scripts/node-ref-tests.sh

bench: ref all
	scripts/bench.sh

stress: ref
	PLASMITE_REF=$(CURDIR)/.ref PLASMITE_REQUIRE_REF=1 scripts/stress.sh

ref: .ref/stamp

.ref/stamp: scripts/install-reference.sh
	scripts/install-reference.sh .ref

install: all
	@scripts/install.sh $(BUILD) $(PREFIX)

dist: all
	@scripts/dist.sh $(BUILD) $(DIST)

clean:
	rm -rf $(BUILD) dist
