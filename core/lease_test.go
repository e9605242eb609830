package core

import (
	"os"
	"sync"
	"testing"
	"time"
)

// The writer lease is dropped by itself shortly after the last append, and
// handed over at once when another writer asks for it.
func TestLeaseReleasedWhenIdle(t *testing.T) {
	p := tempPool(t, 64<<10)
	rawAppend(t, p, []byte("a"))
	f, err := os.Open(p.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := tryLockFile(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lease never released")
		}
		time.Sleep(100 * time.Microsecond)
	}
	// While we hold the lock, an append waits; it proceeds once we let go.
	done := make(chan Receipt)
	go func() { done <- rawAppend(t, p, []byte("b")) }()
	for load64(p.m.data, hLeaseWant) == 0 { // the waiter announces itself
		time.Sleep(50 * time.Microsecond)
	}
	select {
	case <-done:
		t.Fatal("append did not wait for the lock")
	default:
	}
	unlockFile(int(f.Fd()))
	if r := <-done; r.Seq != 2 {
		t.Fatal(r)
	}
	if load64(p.m.data, hLeaseWant) != 0 {
		t.Fatal("request stamp not cleared")
	}
}

// Two Pools on one file in one process (two open file descriptions), many
// goroutines each: seqs stay dense and every append is found.
func TestTwoPoolsOneProcess(t *testing.T) {
	p := tempPool(t, 4<<20)
	q, err := Open(p.Path(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	const per = 2000
	var wg sync.WaitGroup
	seen := make([][]uint64, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			pool := p
			if g%2 == 1 {
				pool = q
			}
			for i := 0; i < per; i++ {
				r, err := pool.appendPayload(writerPayload(nil, g, i), Fast)
				if err != nil {
					t.Error(err)
					return
				}
				seen[g] = append(seen[g], r.Seq)
			}
		}(g)
	}
	wg.Wait()
	if b := p.Bounds(); b != (Bounds{1, 8 * per}) {
		t.Fatal(b)
	}
	all := make([]bool, 8*per+1)
	for g, s := range seen {
		for i, seq := range s {
			if all[seq] {
				t.Fatalf("seq %d twice", seq)
			}
			all[seq] = true
			m, err := q.Get(seq)
			if err != nil {
				t.Fatal(err)
			}
			if w, k, ok := checkWriterPayload(m.Payload); !ok || w != g || k != i {
				t.Fatalf("seq %d holds writer %d msg %d, want %d %d", seq, w, k, g, i)
			}
		}
	}
	mustStrict(t, p)
}
