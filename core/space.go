package core

import (
	"encoding/binary"
	"os"
	"syscall"
)

// Memory faults on a pool mapping. A pool file is mapped whole; touching a
// page of it faults (SIGBUS, which Go turns into a recoverable panic under
// debug.SetPanicOnFault) when the page is beyond the end of a file someone
// truncated, when the filesystem cannot allocate a page of a sparse file
// being written (or, on tmpfs, read) because it is full, or when the device
// fails. faultCause tells these apart after the fact, for the error.

// freeBytes returns the space the caller could still allocate on the
// filesystem holding path. A variable so that tests can simulate a full disk.
var freeBytes = func(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	free := uint64(st.Bavail) // the field types differ between systems
	if os.Geteuid() == 0 {
		free = uint64(st.Bfree) // root may use the reserved blocks
	}
	return free * uint64(st.Bsize), nil
}

// lowSpace is free space below which a fault is put down to a full disk.
const lowSpace = 1 << 20

// faultCause returns the error for a memory fault on the mapping of the
// pool file at path.
func faultCause(path string) *Error {
	shrank := &Error{Kind: IO, Message: "pool file shrank under its mapping", Path: path,
		Hint: "Something truncated or replaced the pool file; recreate the pool."}
	f, err := os.Open(path)
	if err != nil {
		return shrank // gone or replaced
	}
	defer f.Close()
	var hdr [hFileSize + 8]byte
	st, err := f.Stat()
	if err != nil {
		return shrank
	}
	if _, err := f.ReadAt(hdr[:], 0); err != nil || uint64(st.Size()) < binary.LittleEndian.Uint64(hdr[hFileSize:]) {
		return shrank
	}
	if free, err := freeBytes(path); err == nil && free < lowSpace {
		return &Error{Kind: IO, Message: "no space left on device: the filesystem holding the pool is full", Path: path, Err: syscall.ENOSPC,
			Hint: "The pool file is intact, but parts of it were never written and need disk space when first used (release 1.2.1 creates pools that way; this version preallocates them). Free space on that filesystem and retry; the append that failed was not stored."}
	}
	return &Error{Kind: IO, Message: "i/o error on the pool file's memory mapping", Path: path,
		Hint: "The device holding the pool failed a read or a write; check it (dmesg), then run `plasmite doctor` on the pool."}
}

// preallocate allocates the disk blocks of a new pool file of size bytes,
// so that no later write into its mapping can fault for want of space.
// Filesystems that cannot preallocate leave the file sparse.
func preallocate(f *os.File, size int64) error {
	for {
		err := fallocate(int(f.Fd()), size)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EOPNOTSUPP, syscall.ENOSYS, syscall.EINVAL:
			return nil
		}
		return err
	}
}
