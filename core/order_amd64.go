package core

import "unsafe"

// Memory ordering of the shared mapping on amd64.
//
// What must hold. Writer: every byte of a frame becomes visible before the
// frame's committed state, that state before the header cursors that publish
// it, and a drop (the header moving past a frame) before that frame's bytes
// are overwritten. Reader: its loads take effect in program order, so that
// the re-check after copying a payload (stillValid) sees an overwrite that
// the copy may have caught.
//
// The Go memory model gives this only to synchronizing operations: it lets
// the compiler and the processor reorder a goroutine's ordinary accesses
// whenever that goroutine cannot tell. So readers load every cursor, state,
// length and index word with sync/atomic (a plain MOV on amd64). The
// writer's ordered stores below are plain MOVs, not atomic stores (XCHG, a
// full barrier), and that rests on two facts outside the memory model,
// recorded here so that they can be re-checked:
//
//  1. The processor is TSO. Intel SDM vol. 3A, "Memory Ordering in P6 and
//     More Recent Processor Families": writes are not reordered with other
//     writes, reads are not reordered with other reads. The stores of one
//     string instruction (REP MOVS in memmove) may be reordered among
//     themselves only ("Fast-String Operation and Out-of-Order Stores"), and
//     memmove's non-temporal path ends with SFENCE (runtime/memmove_amd64.s).
//  2. The compiler (gc) threads every store, atomic operation and call
//     through one SSA memory chain that no pass reorders. The one pass that
//     removes stores, dead-store elimination (cmd/compile/internal/ssa/
//     deadstore.go), drops a store only when a later store to the same bytes
//     overwrites it with nothing reading the memory in between (today only
//     within one basic block). Each ordered store writes its word once per
//     publish, except the header journal, which is set before the cursors
//     and cleared after them; keepStore, an atomic load of the word right
//     after the set, is a read the compiler must keep (another goroutine or
//     process could have written the word), so the set is never dead.
//
// Cost, measured side by side (BenchmarkAppendRaw100, BenchmarkAppendBatch):
// an XCHG drains the store buffer that the frame just filled, so atomic
// stores here cost 1.4x to 2.2x per append; a MOV plus keepStore costs nothing
// measurable. arm64 uses atomic stores and explicit fences (order_arm64.go).

func storeOrdered64(m []byte, off uint64, v uint64) {
	_ = m[off+7]
	*(*uint64)(unsafe.Pointer(&m[off])) = v
}

func storeOrdered32(m []byte, off uint64, v uint32) {
	_ = m[off+3]
	*(*uint32)(unsafe.Pointer(&m[off])) = v
}

// keepStore keeps the ordered store just made to the word at off from being
// dropped as dead by a later store to it: an atomic load (a MOV, served from
// the store buffer) reads it.
func keepStore(m []byte, off uint64) { _ = load64(m, off) }

// storeFence orders the caller's earlier stores before its later ones; TSO
// already does.
func storeFence([]byte) {}

// loadFence orders the caller's earlier loads before its later ones; TSO
// already does.
func loadFence() {}
