//go:build unix

package core

import (
	"os"
	"syscall"
	"unsafe"
)

var pageSize = uint64(os.Getpagesize())

// syncFault, when set by a test, makes every msync fail with it.
var syncFault error

// mapFile maps size bytes of f shared, read-write unless readOnly.
func mapFile(f *os.File, size uint64, readOnly bool) ([]byte, error) {
	prot := syscall.PROT_READ
	if !readOnly {
		prot |= syscall.PROT_WRITE
	}
	if size != uint64(int(size)) {
		return nil, syscall.EFBIG
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), prot, syscall.MAP_SHARED)
}

func unmapFile(m []byte) error { return syscall.Munmap(m) }

// syncRange msyncs (MS_SYNC) the bytes [off, off+n) of the mapping m, widened
// to whole pages.
func syncRange(m []byte, off, n uint64) error {
	if n == 0 {
		return nil
	}
	if syncFault != nil {
		return syncFault
	}
	start := off &^ (pageSize - 1)
	end := off + n
	if end > uint64(len(m)) {
		end = uint64(len(m))
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&m[start])), uintptr(end-start), syscall.MS_SYNC)
	if errno != 0 {
		return errno
	}
	return nil
}
