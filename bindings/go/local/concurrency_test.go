package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

// failures collects unexpected errors from goroutines.
type failures struct {
	mu   sync.Mutex
	errs []error
}

func (f *failures) add(err error) {
	f.mu.Lock()
	f.errs = append(f.errs, err)
	f.mu.Unlock()
}

func (f *failures) check(t *testing.T) {
	t.Helper()
	for _, err := range f.errs {
		t.Error(err)
	}
}

// Appenders, readers, tails and streams share one Pool handle while it is
// closed under them: every call either works or reports ErrClosed, tails
// deliver in order and end with ErrClosed, and streams opened before the
// close keep working.
func TestPoolUsedAndClosedConcurrently(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "race")
	seed := mustAppend(t, p, map[string]any{"seed": true}, "seed")
	frame, err := p.GetLite3(seed.Seq)
	if err != nil {
		t.Fatal(err)
	}
	independent, err := p.OpenStream(u64(seed.Seq), u64(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer independent.Close()

	var bad failures
	var wg sync.WaitGroup
	appended := make(chan struct{})
	var once sync.Once
	start := make(chan struct{})
	loop := func(name string, op func(i int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; ; i++ {
				if err := op(i); err != nil {
					if !errors.Is(err, plasmite.ErrClosed) {
						bad.add(fmt.Errorf("%s: %w", name, err))
					}
					return
				}
			}
		}()
	}
	for w := 0; w < 3; w++ {
		loop("Append", func(i int) error {
			m, err := p.Append(map[string]any{"w": w, "i": i}, []string{"race"})
			if err != nil {
				return err
			}
			once.Do(func() { close(appended) })
			got, err := p.Get(m.Seq)
			if err == nil && !bytes.Equal(got.Raw, m.Raw) && kindOf(err) != plasmite.ErrorNotFound {
				return fmt.Errorf("read back %s, want %s", got.Raw, m.Raw)
			}
			if kindOf(err) == plasmite.ErrorNotFound {
				return nil // already overwritten by the other writers
			}
			return err
		})
	}
	loop("AppendJSON", func(i int) error {
		_, err := p.AppendJSON([]byte(`{"json":true}`), nil, plasmite.DurabilityFast)
		return err
	})
	loop("AppendLite3", func(i int) error {
		seq, err := p.AppendLite3(frame.Payload, plasmite.DurabilityFast)
		if err != nil {
			return err
		}
		if f, err := p.GetLite3(seq); err == nil && !bytes.Equal(f.Payload, frame.Payload) {
			return fmt.Errorf("Lite3 frame %d changed", seq)
		}
		return nil
	})
	loop("OpenStream", func(i int) error {
		s, err := p.OpenLite3Stream(u64(seed.Seq), u64(1), u64(0))
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := s.Next(); err != nil && err != io.EOF {
			return err
		}
		return nil
	})
	tails := make([]<-chan error, 0, 4)
	for i := 0; i < 2; i++ {
		out, errs := p.Tail(t.Context(), plasmite.TailOptions{Buffer: 4})
		frames, ferrs := p.TailLite3(t.Context(), plasmite.TailOptions{Tags: []string{"race"}})
		tails = append(tails, ordered(&bad, &wg, out, errs, func(m *api.Message) uint64 { return m.Seq }),
			ordered(&bad, &wg, frames, ferrs, func(f *api.Lite3Frame) uint64 { return f.Seq }))
	}

	close(start)
	<-appended
	p.Close()
	wg.Wait()
	bad.check(t)
	for _, errs := range tails {
		if err := <-errs; !errors.Is(err, plasmite.ErrClosed) {
			t.Errorf("tail after Close: %v, want ErrClosed", err)
		}
	}
	// (The seed may have been overwritten meanwhile: the stream then
	// continues at the oldest message retained.)
	if raw, err := independent.NextJSON(); err != nil || !bytes.HasPrefix(raw, []byte(`{"seq":`)) {
		t.Errorf("stream opened before Close: %s, %v", raw, err)
	}
}

// ordered drains a tail in a goroutine, checking that sequence numbers
// increase, and returns a channel with the tail's final error.
func ordered[T any](bad *failures, wg *sync.WaitGroup, out <-chan T, errs <-chan error, seq func(T) uint64) <-chan error {
	final := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var last uint64
		for v := range out {
			if s := seq(v); s <= last {
				bad.add(fmt.Errorf("tail delivered %d after %d", s, last))
			} else {
				last = s
			}
		}
		final <- <-errs
	}()
	return final
}

// Opening pools while the client is closed: each open works or reports
// ErrClosed, and Close waits for the opens in progress.
func TestClientOpenAndCloseConcurrently(t *testing.T) {
	c, _ := newClient(t)
	newPool(t, c, "existing")
	var bad failures
	var wg sync.WaitGroup
	opened := make(chan struct{})
	var once sync.Once
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p, err := c.Pool(plasmite.PoolRefName(fmt.Sprintf("p%d", w)), 64<<10)
				if err != nil {
					if !errors.Is(err, plasmite.ErrClosed) {
						bad.add(err)
					}
					return
				}
				once.Do(func() { close(opened) })
				p.Close()
			}
		}()
	}
	<-opened
	c.Close()
	wg.Wait()
	bad.check(t)
}

// Readers and closers of one stream: every message is delivered once, in
// order, and every read ends with io.EOF or ErrClosed.
func TestStreamReadAndCloseConcurrently(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "readers")
	const n = 100
	for i := 0; i < n; i++ {
		mustAppend(t, p, map[string]any{"i": i})
	}
	s, err := p.OpenStream(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var bad failures
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				raw, err := s.(api.ContextStream).NextJSONContext(context.Background())
				if err != nil {
					if !errors.Is(err, plasmite.ErrClosed) && err != io.EOF {
						bad.add(err)
					}
					return
				}
				m, err := api.DecodeMessage(raw)
				if err != nil {
					bad.add(err)
					return
				}
				mu.Lock()
				if seen[m.Seq] {
					bad.add(fmt.Errorf("message %d delivered twice", m.Seq))
				}
				seen[m.Seq] = true
				full := len(seen) == n
				mu.Unlock()
				if full {
					s.Close() // the other readers are waiting for message n+1
				}
			}
		}()
	}
	wg.Wait()
	bad.check(t)
	if len(seen) != n {
		t.Errorf("%d of %d messages delivered", len(seen), n)
	}
}
