package core

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// sparseCopy writes src to dst leaving its all-zero pages unallocated (a
// pool as release 1.2.1 creates it: sparse).
func sparseCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for off := 0; off < len(b); off += 4096 {
		if pg := b[off:min(off+4096, len(b))]; !allZero(pg) {
			if _, err := f.WriteAt(pg, int64(off)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Truncate(int64(len(b))); err != nil {
		t.Fatal(err)
	}
}

// Defect 9 of issue 12: on a full filesystem, a sparse pool (as 1.2.1
// creates them) faults when an append first writes one of its unwritten
// pages. The append fails with IO "no space left on device" (not "the file
// shrank"), the pool stays intact and readable, and doctor still reports.
// Pools we create are preallocated: creating one that does not fit fails
// up front. Needs root, to mount a 1 MiB tmpfs.
func TestNoSpaceLeft(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	defer syscall.Unmount(mnt, 0)

	if _, err := Create(filepath.Join(mnt, "big.plasmite"), 4<<20); KindOf(err) != IO || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("create of a pool larger than the filesystem: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "big.plasmite")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the failed create left its file")
	}

	src := messagePool(t, dir, 4<<20, 20)
	path := filepath.Join(mnt, "sparse.plasmite")
	sparseCopy(t, src, path)
	p, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var appendErr error
	n := 0
	for ; n < 100000 && appendErr == nil; n++ {
		_, appendErr = p.AppendJSON([]byte(`{"fill":"`+strings.Repeat("z", 900)+`"}`), nil, Fast)
	}
	var e *Error
	if !errors.As(appendErr, &e) || e.Kind != IO || !strings.Contains(e.Message, "no space left on device") || !errors.Is(appendErr, syscall.ENOSPC) {
		t.Fatalf("after %d appends: %v", n, appendErr)
	}
	t.Logf("%d appends, then: %s (hint: %s)", n-1, e.Message, e.Hint)
	b := p.Bounds()
	if b.Newest != 20+uint64(n-1) {
		t.Fatalf("bounds %v after %d appends", b, n-1)
	}
	if _, err := p.Get(b.Newest); err != nil {
		t.Fatalf("get newest: %v", err)
	}
	for _, quick := range []bool{false, true} {
		r, err := ValidateWith(path, ValidateOptions{Quick: quick})
		if err != nil || r.Status != "ok" {
			t.Fatalf("doctor on the full filesystem (quick %v): %+v %v", quick, r, err)
		}
		t.Logf("doctor hints: %q", r.Hints)
	}
	if r, err := Repair(path, RepairOptions{DryRun: true}); err != nil || len(r.Fixes) != 0 {
		t.Fatalf("repair dry run: %+v %v", r, err)
	}
}
