//go:build unix

package serve

import (
	"os"
	"syscall"
)

// lockExclusive takes f's exclusive flock without waiting.
func lockExclusive(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}
