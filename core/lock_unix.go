//go:build unix

package core

import "syscall"

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
