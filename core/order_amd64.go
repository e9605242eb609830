package core

import "unsafe"

// On amd64 (TSO) ordinary stores become visible to other cores and
// processes in program order, and the Go compiler keeps stores to memory in
// program order, so a plain MOV gives the release ordering the writer needs
// (frame bytes, then state, then header cursors, newest last) without the
// full-barrier cost of an atomic exchange. Other architectures use atomic
// stores (ordered.go).

func storeOrdered64(m []byte, off uint64, v uint64) {
	_ = m[off+7]
	*(*uint64)(unsafe.Pointer(&m[off])) = v
}

func storeOrdered32(m []byte, off uint64, v uint32) {
	_ = m[off+3]
	*(*uint32)(unsafe.Pointer(&m[off])) = v
}
