//go:build !linux

package core

import "syscall"

func fallocate(fd int, size int64) error { return syscall.ENOSYS }
