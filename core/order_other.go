//go:build !amd64

package core

func storeOrdered64(m []byte, off uint64, v uint64) { store64(m, off, v) }

func storeOrdered32(m []byte, off uint64, v uint32) { store32(m, off, v) }
