//go:build !amd64

package core

import (
	"sync/atomic"
	"unsafe"
)

func storeOrdered64(m []byte, off uint64, v uint64) { store64(m, off, v) }

// storeOrdered32 is an atomic store (release ordering on every architecture).
// Minimal fix so non-amd64 builds; the ordering helpers are being reworked.
func storeOrdered32(m []byte, off uint64, v uint32) {
	_ = m[off+3]
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&m[off])), v)
}
