//go:build unix

package access

import (
	"os"
	"syscall"
)

// flock takes f's flock (exclusive or shared), waiting only when wait is
// set.
func flock(f *os.File, exclusive, wait bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// funlock releases f's flock.
func funlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// ownedByMe reports whether fi belongs to the effective user.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Geteuid()
}
