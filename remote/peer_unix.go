//go:build unix

package remote

import (
	"errors"
	"syscall"
)

// peerOpen reports whether the peer of a connection has not closed it:
// a peek that does not wait finds nothing to read (an end of stream or
// stray bytes mean the connection cannot serve a request).
func peerOpen(sc syscall.Conn) bool {
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	open := true
	var buf [1]byte
	_ = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK)
		return true
	})
	return open
}
