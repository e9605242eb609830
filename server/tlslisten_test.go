package server

import (
	"errors"
	"net"
	"testing"
)

// failingConn fails its first write and counts the bytes it is given.
type failingConn struct {
	net.Conn
	writes, bytes int
}

func (c *failingConn) Write(p []byte) (int, error) {
	c.writes++
	if c.writes == 1 {
		return len(p) / 2, errors.New("i/o timeout")
	}
	c.bytes += len(p)
	return len(p), nil
}

func (c *failingConn) Close() error { return nil }

// After a write fails part way (a record cut short by a write deadline),
// the connection under a TLS one writes nothing more: crypto/tls would
// otherwise append its close_notify to the cut record, which the client
// then fails to decrypt.
func TestSlotConnWritesNothingAfterAFailure(t *testing.T) {
	fc := &failingConn{}
	released := 0
	c := &slotConn{Conn: fc, release: func() { released++ }}
	if _, err := c.Write(make([]byte, 100)); err == nil {
		t.Fatal("the first write did not fail")
	}
	if n, err := c.Write([]byte{21, 3, 3, 0, 2}); err == nil || n != 0 {
		t.Fatalf("a write after the failure: %d, %v", n, err)
	}
	if fc.bytes != 0 || fc.writes != 1 {
		t.Fatalf("bytes reached the connection after the failure: %d in %d writes", fc.bytes, fc.writes)
	}
	c.Close()
	c.Close()
	if released != 1 {
		t.Fatalf("slot released %d times", released)
	}
}
