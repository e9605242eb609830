package remote

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/wire"
)

// Our client against the reference release's server (its local listener),
// and against ours when it is built (reftest.Servers).

// refServe creates pool "demo" in a new directory with the reference CLI,
// serves the directory with server bin (extra serve args), and returns the
// directory and a client of the server.
func refServe(t *testing.T, bin string, args ...string) (string, *Client) {
	t.Helper()
	dir := t.TempDir()
	if _, errb, code := reftest.Run(t, "--dir", dir, "pool", "create", "demo"); code != 0 {
		t.Fatalf("pool create: %s", errb)
	}
	base, _ := reftest.Serve(t, bin, dir, args...)
	c, err := New(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return dir, c
}

// Data whose rendering is easy to get wrong, appended through our client.
var interopData = []string{
	`{"z":1,"a":"x"}`,
	`{"s":"é ✓ <a href=\"x\">&amp;</a> \u2028 \u0001 \t","n":null,"t":true,"f":false}`,
	`{"f":1.5,"g":1e20,"h":0.1,"i":-0,"j":1e2,"k":123456789012345678,"l":-9223372036854775808,"m":2.5e-8,"o":0.30000000000000004}`,
	`{"nested":{"b":[1,[],{}],"a":{"y":[{"q":1}]}},"e":{},"arr":[]}`,
}

// forServers runs f as a subtest against each server (reftest.Servers).
func forServers(t *testing.T, f func(t *testing.T, bin string)) {
	for _, s := range reftest.Servers(t) {
		t.Run(s.Name, func(t *testing.T) { f(t, s.Bin) })
	}
}

func TestInteropServers(t *testing.T) { forServers(t, testInteropServer) }

func testInteropServer(t *testing.T, bin string) {
	dir, c := refServe(t, bin)
	ctx := context.Background()
	p, err := c.Open(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	// Appends: the receipt is the message the reference CLI fetches back.
	var buf []byte
	for i, d := range interopData {
		m, out, err := p.Append(ctx, []byte(d), []string{"t", fmt.Sprint("n", i)}, core.Durability(i%2), buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		buf = out
		receipt, _ := wire.AppendMessage(nil, m, jsonfmt.Compact)
		want, errb, code := reftest.Run(t, "fetch", c.Origin()+"demo", fmt.Sprint(m.Seq))
		if code != 0 {
			t.Fatalf("reference fetch: %s", errb)
		}
		if string(receipt)+"\n" != string(want) {
			t.Errorf("receipt %d\n ours      %s\n reference %s", m.Seq, receipt, want)
		}
		got, _, err := p.Get(ctx, m.Seq, nil)
		if err != nil {
			t.Fatal(err)
		}
		if line, _ := wire.AppendMessage(nil, got, jsonfmt.Compact); string(line) != string(receipt) {
			t.Errorf("get %d: %s", m.Seq, line)
		}
	}
	// The stored documents are the ones the reference's own feed stores.
	local, err := core.Open(filepath.Join(dir, "demo.plasmite"), core.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	for i := range interopData {
		seq := uint64(i + 1)
		raw, err := p.GetLite3(ctx, seq, nil)
		stored, _ := local.Get(seq)
		if err != nil || string(raw) != string(stored.Payload) {
			t.Errorf("lite3 %d: %v", seq, err)
		}
	}
	// Tails: JSONL and frames, finite, the same messages.
	for _, lite3 := range []bool{false, true} {
		fl, err := p.Follow(ctx, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true, Lite3: lite3})
		if err != nil {
			t.Fatal(err)
		}
		for seq := uint64(1); seq <= uint64(len(interopData)); seq++ {
			m, err := fl.Next(ctx)
			stored, _ := local.Get(seq)
			if err != nil || m.Seq != seq || m.Time != stored.Time {
				t.Fatalf("follow lite3=%v: %v %v", lite3, m, err)
			}
			a, _ := wire.AppendMessage(nil, m, jsonfmt.Compact)
			b, _ := wire.AppendMessage(nil, stored, jsonfmt.Compact)
			if string(a) != string(b) {
				t.Errorf("follow lite3=%v seq %d:\n got  %s\n want %s", lite3, seq, a, b)
			}
		}
		if _, err := fl.Next(ctx); err != io.EOF {
			t.Errorf("end of finite follow: %v", err)
		}
	}
	// Info and list.
	in, err := p.Info(ctx)
	if err != nil || in.Bounds.Newest != uint64(len(interopData)) || in.Path != filepath.Join(dir, "demo.plasmite") {
		t.Errorf("info %+v %v", in, err)
	}
	ents, err := c.List(ctx)
	if err != nil || len(ents) != 1 || ents[0].Name != "demo" {
		t.Errorf("list %+v %v", ents, err)
	}
	// Errors as the server words them, with the pool's name as path.
	_, err = c.Open(ctx, "nope")
	if e := wantKind(t, err, core.NotFound); e.Path != "nope" || e.Message != "not found" {
		t.Errorf("open nope: %+v", e)
	}
	_, _, err = p.Get(ctx, 99, nil)
	if e := wantKind(t, err, core.NotFound); e.Message != "message not found" || *e.Seq != 99 {
		t.Errorf("get 99: %+v", e)
	}
	if _, _, err := p.Append(ctx, []byte(`{"a":1}`), nil, core.Fast, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err = p.AppendLite3(ctx, []byte("junk"), core.Fast, nil)
	if core.KindOf(err) != core.Corrupt {
		t.Errorf("junk append: %v", err)
	}
	if _, err := c.Create(ctx, "demo", 0); core.KindOf(err) != core.AlreadyExists {
		t.Errorf("create existing: %v", err)
	}
	if _, err := c.Create(ctx, "made", 64<<10); err != nil {
		t.Errorf("create: %v", err)
	}
	if err := c.Delete(ctx, "made"); err != nil {
		t.Errorf("delete: %v", err)
	}
	_, err = c.Create(ctx, "a", 7)
	if err == nil {
		t.Errorf("create of 7 bytes succeeded")
	}
}

// Live follow: new messages arrive; a stream the server ends at its limit
// is resumed without loss or repeat.
func TestInteropLiveFollow(t *testing.T) { forServers(t, testInteropLiveFollow) }

func testInteropLiveFollow(t *testing.T, bin string) {
	_, c := refServe(t, bin, "--max-tail-timeout-ms", "200")
	ctx := context.Background()
	p, _ := c.Open(ctx, "demo")
	fl, err := p.Follow(ctx, FollowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	go func() {
		for i := 0; i < 6; i++ {
			time.Sleep(120 * time.Millisecond) // across several 200 ms streams
			p.Append(ctx, []byte(fmt.Sprintf(`{"i":%d}`, i)), nil, core.Fast, nil)
		}
	}()
	for seq := uint64(1); seq <= 6; seq++ {
		nctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		m, err := fl.Next(nctx)
		cancel()
		if err != nil || m.Seq != seq {
			t.Fatalf("seq %d: %v %v", seq, m.Seq, err)
		}
	}
}

// The reference server refuses a stream deadline above its limit; a
// finite follow halves its wait until the server takes it.
func TestInteropTimeoutCap(t *testing.T) { forServers(t, testInteropTimeoutCap) }

func testInteropTimeoutCap(t *testing.T, bin string) {
	_, c := refServe(t, bin, "--max-tail-timeout-ms", "20")
	ctx := context.Background()
	p, _ := c.Open(ctx, "demo")
	for i := 0; i < 3; i++ {
		p.Append(ctx, []byte(`{"i":1}`), nil, core.Fast, nil)
	}
	fl, err := p.Follow(ctx, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []string
	for {
		m, err := fl.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, fmt.Sprint(m.Seq))
	}
	if strings.Join(seqs, ",") != "1,2,3" || fl.waitMS != 12 {
		t.Errorf("seqs %v, wait %d ms", seqs, fl.waitMS)
	}
}

// A follower costs the goroutine that reads it and nothing more: 50 idle
// followers of a server in another process add 50 goroutines to ours
// (net/http's Transport would add two more per connection).
func TestIdleFollowersCostOneGoroutine(t *testing.T) {
	const n = 50
	_, c := refServe(t, reftest.Bin(t))
	ctx := context.Background()
	p, _ := c.Open(ctx, "demo")
	base := runtime.NumGoroutine()
	got := make(chan uint64, n)
	var fls []*Follower
	for i := 0; i < n; i++ {
		fl, err := p.Follow(ctx, FollowOptions{})
		if err != nil {
			t.Fatal(err)
		}
		fls = append(fls, fl)
		go func() {
			for {
				m, err := fl.Next(ctx)
				if err != nil {
					return
				}
				got <- m.Seq
			}
		}()
	}
	defer func() {
		for _, fl := range fls {
			fl.Close()
		}
	}()
	// One message reaches every follower (so every one is connected), and
	// then they all wait for the next.
	if _, _, err := p.Append(ctx, []byte(`{"x":1}`), nil, core.Fast, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		select {
		case seq := <-got:
			if seq != 1 {
				t.Fatalf("seq %d", seq)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d followers got the message", i, n)
		}
	}
	if g := runtime.NumGoroutine(); g > base+n+5 {
		t.Errorf("%d goroutines for %d idle followers (%d before)", g, n, base)
	}
}
