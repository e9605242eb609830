//go:build unix

package core

import (
	"syscall"
	"time"
)

// lockFile takes the exclusive writer lock (flock) on fd, waiting for it.
func lockFile(fd int) error {
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

// tryLockFile takes the lock if it is free; ok is false if another open file
// description holds it.
func tryLockFile(fd int) (ok bool, err error) {
	for {
		err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EWOULDBLOCK:
			return false, nil
		case syscall.EINTR:
			continue
		}
		return false, err
	}
}

func unlockFile(fd int) error { return syscall.Flock(fd, syscall.LOCK_UN) }

func isWouldBlock(err error) bool {
	return err == syscall.EWOULDBLOCK || err == syscall.EAGAIN
}

// lockShared takes a shared lock (flock LOCK_SH, as release 1.2.1's readers
// do) on fd, waiting up to wait for writers to let go. It reports whether
// the lock was taken; unlockFile releases it.
func lockShared(fd int, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 20*time.Millisecond) {
		err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true
		case err == syscall.EINTR:
			continue
		case err != syscall.EWOULDBLOCK || time.Now().After(deadline):
			return false
		}
		time.Sleep(pause)
	}
}
