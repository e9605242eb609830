package core

import (
	"sync/atomic"
	"unsafe"
)

// Memory ordering of the shared mapping on arm64 (see order_amd64.go for
// what must hold).
//
// Go compiles sync/atomic stores to STLR (store-release: ordered after every
// earlier load and store of the thread) and atomic loads to LDAR
// (load-acquire: ordered before every later load and store), and an STLR
// followed by an LDAR stays in that order (Arm ARM, "Barrier-ordered-before":
// release/acquire are RCsc). The ordered stores are therefore atomic stores,
// and two places need a fence between an atomic access and ordinary ones on
// its other side, which release and acquire alone do not order:
//
//   - a writer publishes a drop with STLRs, then overwrites the dropped
//     frame with ordinary stores, which could otherwise become visible
//     first: storeFence (an LDAR after the STLRs) holds them back;
//   - a reader copies a payload with ordinary loads, then re-checks the
//     frame with LDARs, which could otherwise be satisfied first: loadFence
//     (an STLR to a private word) holds the re-check back.

func storeOrdered64(m []byte, off uint64, v uint64) { store64(m, off, v) }

func storeOrdered32(m []byte, off uint64, v uint32) {
	_ = m[off+3]
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&m[off])), v)
}

// keepStore: atomic stores are never dropped as dead stores.
func keepStore([]byte, uint64) {}

// storeFence orders the caller's earlier atomic stores before its later
// ordinary stores: an atomic load (LDAR) of the header's first word.
func storeFence(header []byte) { _ = load32(header, 0) }

// loadFence orders the caller's earlier ordinary loads before its later
// atomic loads: an atomic store (STLR) to a word of its own stack.
func loadFence() {
	var w uint32
	atomic.StoreUint32(&w, 0)
}
