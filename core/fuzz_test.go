package core

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// seedPool returns the bytes of a small pool after n appends of varied sizes.
func seedPool(t testing.TB, ring int, n int) []byte {
	dir := t.TempDir()
	path := filepath.Join(dir, "seed.plasmite")
	p, err := Create(path, int64(4096+ring))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := p.appendPayload(bytes.Repeat([]byte{byte(i)}, 1+(i*37)%200), Fast); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzPoolBytes feeds arbitrary pool files to open, the readers, the
// validators and the writer: errors are fine, panics and hangs are not.
func FuzzPoolBytes(f *testing.F) {
	f.Add(seedPool(f, 1024, 0), uint16(0), byte(0))
	f.Add(seedPool(f, 1024, 3), uint16(100), byte(0x55))
	f.Add(seedPool(f, 1024, 20), uint16(4096+64), byte(0xFF))
	f.Add(seedPool(f, 2000, 50), uint16(4096+5), byte(2))
	f.Add(seedPool(f, 1024, 20), uint16(88), byte(9))
	f.Add(seedPool(f, 1024, 20), uint16(72), byte(8))
	f.Add([]byte("NOPE"), uint16(0), byte(0))
	f.Fuzz(fuzzPool)
}

func fuzzPool(t *testing.T, file []byte, at uint16, val byte) {
	{
		if len(file) > 1<<16 {
			return
		}
		file = append([]byte(nil), file...)
		if int(at) < len(file) {
			file[at] ^= val
		}
		path := filepath.Join(t.TempDir(), "f.plasmite")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Validate(path)
		if err == nil && r.Status == "" {
			t.Fatal("empty report")
		}
		p, err := Open(path, OpenOptions{NoNotify: true})
		if err != nil {
			if KindOf(err) != Corrupt && KindOf(err) != Usage {
				t.Fatalf("open: %v", err)
			}
			return
		}
		defer p.Close()
		_ = p.m.checkStrict()
		b := p.Bounds()
		for s, k := b.Oldest, 0; s <= b.Newest && k < 100; s, k = s+1, k+1 {
			p.Get(s)
		}
		p.Info()
		tl, _ := p.Tail(TailOptions{Tags: []string{"x"}})
		for k := 0; k < 200; k++ {
			if _, ok, err := tl.TryNext(); !ok && err == nil {
				break
			}
		}
		tl.Close()
		tl, _ = p.Tail(TailOptions{Start: StartLast, Last: 5})
		for k := 0; k < 200; k++ {
			if _, ok, err := tl.TryNext(); !ok && err == nil {
				break
			}
		}
		tl.Close()
		var payload [40]byte
		binary.LittleEndian.PutUint32(payload[:], uint32(at))
		for k := 0; k < 5; k++ {
			if _, err := p.appendPayload(payload[:], Fast); err != nil {
				break
			}
		}
	}
}
