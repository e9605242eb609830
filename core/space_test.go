package core

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

// Without root: the cause of a fault is told apart by the file's size and
// the free space of its filesystem.
func TestFaultCause(t *testing.T) {
	p := tempPool(t, 64<<10)
	path := p.Path()
	if e := faultCause(path); !strings.Contains(e.Message, "i/o error") {
		t.Fatalf("intact file, space left: %+v", e)
	}
	defer func(f func(string) (uint64, error)) { freeBytes = f }(freeBytes)
	freeBytes = func(string) (uint64, error) { return 4096, nil }
	if e := faultCause(path); e.Kind != IO || !strings.Contains(e.Message, "no space left on device") || !errors.Is(e, syscall.ENOSPC) {
		t.Fatalf("full filesystem: %+v", e)
	}
	os.Truncate(path, 8192)
	if e := faultCause(path); !strings.Contains(e.Message, "shrank") {
		t.Fatalf("truncated: %+v", e)
	}
	os.Remove(path)
	if e := faultCause(path); !strings.Contains(e.Message, "shrank") {
		t.Fatalf("removed: %+v", e)
	}
}
