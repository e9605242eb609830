# libplasmite: the C interface (capi/) built two ways, plus its header and
# pkg-config file, all under $(BUILD):
#   lib/libplasmite.so   -buildmode=c-shared
#   lib/libplasmite.a    -buildmode=c-archive
#   include/plasmite.h   copied from include/ (the hand-written contract)
#   lib/pkgconfig/plasmite.pc
# Invoked by the Makefile's `lib` target: make -f scripts/lib.mk BUILD=… VERSION=…

GO      ?= go
BUILD   ?= build
VERSION ?= $(shell cat VERSION)
LDFLAGS := -s -w -X github.com/plasmite-go/plasmite/core.Version=$(VERSION)
SOURCES := $(shell find capi core -name '*.go' -not -name '*_test.go') capi/capi.h include/plasmite.h go.mod go.sum VERSION
# cgo writes its own header next to each library; ours is include/plasmite.h,
# so cgo's is moved aside (abi tests compare the two).
CGOHDR  := $(BUILD)/capi

.PHONY: lib
lib: $(BUILD)/lib/libplasmite.so $(BUILD)/lib/libplasmite.a $(BUILD)/include/plasmite.h $(BUILD)/lib/pkgconfig/plasmite.pc

$(BUILD)/lib/libplasmite.so: $(SOURCES)
	@mkdir -p $(@D) $(CGOHDR)
	CGO_ENABLED=1 $(GO) build -trimpath -buildmode=c-shared -ldflags '$(LDFLAGS) -extldflags=-Wl,-soname,libplasmite.so' -o $@ ./capi
	mv $(BUILD)/lib/libplasmite.h $(CGOHDR)/cgo-shared.h

$(BUILD)/lib/libplasmite.a: $(SOURCES) | $(BUILD)/lib/libplasmite.so
	@mkdir -p $(@D) $(CGOHDR)
	CGO_ENABLED=1 $(GO) build -trimpath -buildmode=c-archive -ldflags '$(LDFLAGS)' -o $@ ./capi
	mv $(BUILD)/lib/libplasmite.h $(CGOHDR)/cgo-archive.h

$(BUILD)/include/plasmite.h: include/plasmite.h
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/lib/pkgconfig/plasmite.pc: pkgconfig/plasmite.pc.in VERSION
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/' $< > $@
