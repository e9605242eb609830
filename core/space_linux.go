package core

import "syscall"

func fallocate(fd int, size int64) error { return syscall.Fallocate(fd, 0, 0, size) }
