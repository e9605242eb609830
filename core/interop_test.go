package core

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Interop with the reference release 1.2.1 (skipped when it is not
// installed; PLASMITE_REF=/path/to/install or `make ref`).

func refRun(t *testing.T, input []byte, args ...string) []byte {
	t.Helper()
	out, errb, code := reftest.RunInput(t, input, args...)
	if code != 0 {
		t.Fatalf("reference %v: exit %d: %s", args, code, errb)
	}
	return out
}

// refMessages returns the reference's JSON lines for every retained message.
func refMessages(t *testing.T, dir, name string) []string {
	t.Helper()
	out := refRun(t, nil, "follow", "--dir", dir, name, "--no-follow", "--format", "json")
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// ourMessages renders every retained message the way the reference prints it.
func ourMessages(t *testing.T, p *Pool) []string {
	t.Helper()
	tl, err := p.Tail(TailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	var out []string
	for {
		m, ok, err := tl.TryNext()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		s, err := lite3.AppendMessageJSON(nil, m.Payload, m.Seq, m.Time, jsonfmt.Compact)
		if err != nil {
			t.Fatalf("seq %d: %v", m.Seq, err)
		}
		out = append(out, string(s))
	}
}

func feedInput(prefix string, n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"%s":%d,"pad":"%s","f":%d.5}`+"\n", prefix, i, strings.Repeat("x", i%150), i)
	}
	return b.Bytes()
}

func TestInteropCreateIdenticalHeader(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	for _, size := range []string{"5120", "8192", "64K", "1M", "8M", "20M"} {
		refRun(t, nil, "pool", "create", "--dir", dir, "--size", size, "r"+size)
		ref, err := os.ReadFile(filepath.Join(dir, "r"+size+".plasmite"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Create(filepath.Join(dir, "g"+size+".plasmite"), int64(len(ref)))
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		ours, _ := os.ReadFile(p.Path())
		if !bytes.Equal(ref, ours) {
			t.Errorf("size %s: created files differ", size)
		}
	}
}

func TestInteropReferenceWritesWeRead(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	refRun(t, nil, "pool", "create", "--dir", dir, "--size", "64K", "ref")
	refRun(t, feedInput("ref", 700), "feed", "--dir", dir, "ref", "--tag", "a", "--tag", "b")
	p, err := Open(filepath.Join(dir, "ref.plasmite"), OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	mustStrict(t, p)
	if b := p.Bounds(); b.Newest != 700 || b.Oldest < 2 {
		t.Fatalf("bounds %v: the ring should have wrapped", b)
	}
	want := refMessages(t, dir, "ref")
	got := ourMessages(t, p)
	if len(got) != len(want) {
		t.Fatalf("%d messages, reference shows %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("message %d:\nours %s\nref  %s", i, got[i], want[i])
		}
	}
	// Info agrees with the reference's pool info.
	var ri struct {
		Bounds  struct{ Oldest, Newest uint64 }
		Metrics struct {
			MessageCount uint64 `json:"message_count"`
			Utilization  struct {
				UsedBytes   uint64  `json:"used_bytes"`
				UsedPercent float64 `json:"used_percent"`
			}
		}
	}
	json.Unmarshal(refRun(t, nil, "pool", "info", "--dir", dir, "ref", "--format", "json"), &ri)
	in, _ := p.Info()
	if in.Bounds.Oldest != ri.Bounds.Oldest || in.MessageCount != ri.Metrics.MessageCount ||
		in.UsedBytes != ri.Metrics.Utilization.UsedBytes || in.UsedPercent != ri.Metrics.Utilization.UsedPercent {
		t.Fatalf("info differs: ours %+v, reference %+v", in, ri)
	}
	for s := in.Bounds.Oldest; s <= in.Bounds.Newest; s++ {
		if _, err := p.Get(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInteropWeWriteReferenceReads(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	p, err := Create(filepath.Join(dir, "ours.plasmite"), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sc := bufio.NewScanner(bytes.NewReader(feedInput("go", 700)))
	var b Batch
	for i := 0; sc.Scan(); i++ {
		if i%3 == 0 {
			if _, err := p.AppendJSON(sc.Bytes(), []string{"g"}, Fast); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b.Reset()
		b.AddJSON(sc.Bytes(), []string{"g", "batch"})
		if _, err := p.AppendBatch(&b, Fast, nil); err != nil {
			t.Fatal(err)
		}
	}
	releaseLease(p)
	var doc struct {
		Reports []struct{ Status string }
	}
	json.Unmarshal(refRun(t, nil, "doctor", "--dir", dir, "ours", "--format", "json"), &doc)
	if len(doc.Reports) != 1 || doc.Reports[0].Status != "ok" {
		t.Fatalf("reference doctor: %+v", doc)
	}
	want := ourMessages(t, p)
	got := refMessages(t, dir, "ours")
	if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
		t.Fatalf("reference reads %d messages (%s … %s), we have %d", len(got), got[0], got[len(got)-1], len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("message %d:\nref  %s\nours %s", i, got[i], want[i])
		}
	}
}

func TestInteropConcurrentWriters(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "both.plasmite")
	p, err := Create(path, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const n = 3000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		refRun(t, feedInput("ref", n), "feed", "--dir", dir, "both")
	}()
	for p.Bounds().Newest == 0 { // interleave with the reference's stream
		time.Sleep(100 * time.Microsecond)
	}
	for i := 0; i < n; i++ {
		if _, err := p.AppendJSON([]byte(fmt.Sprintf(`{"go":%d}`, i)), nil, Fast); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			time.Sleep(50 * time.Microsecond)
		}
	}
	wg.Wait()
	releaseLease(p)
	if b := p.Bounds(); b != (Bounds{1, 2 * n}) {
		t.Fatalf("bounds %v", b)
	}
	mustStrict(t, p)
	next := map[string]int{}
	switches, last := 0, ""
	for i, line := range ourMessages(t, p) {
		var m struct {
			Seq  int
			Data map[string]json.RawMessage
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil || m.Seq != i+1 {
			t.Fatalf("line %d: %v %s", i, err, line)
		}
		for _, k := range []string{"ref", "go"} {
			if v, ok := m.Data[k]; ok {
				if string(v) != fmt.Sprint(next[k]) {
					t.Fatalf("seq %d: %s %s out of order", m.Seq, k, v)
				}
				next[k]++
				if k != last {
					switches++
					last = k
				}
			}
		}
	}
	if next["ref"] != n || next["go"] != n {
		t.Fatal(next)
	}
	t.Logf("writer switches in the merged stream: %d", switches)
}

// Our planner predicts, byte for byte, the header the reference writes: the
// reference and this package take turns appending random-sized messages to a
// small ring; before each append the planner runs on the file as it is, and
// the header after the append must equal its prediction.
func TestInteropPlannerMatches(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	refRun(t, nil, "pool", "create", "--dir", dir, "--size", "8192", "plan")
	path := filepath.Join(dir, "plan.plasmite")
	rng := rand.New(rand.NewSource(7))
	wraps, drops, refs := 0, 0, 0
	for i := 0; i < 160; i++ {
		data := fmt.Sprintf(`{"i":%d,"p":"%s"}`, i, strings.Repeat("x", rng.Intn(900)))
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := decodeHeader(raw)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := lite3.EncodeMessage(nil, []byte(data), nil)
		pl, err := planAppend(raw[h.RingOffset:], h.cursors, uint64(len(doc)))
		if err != nil {
			t.Fatal(err)
		}
		if pl.HasWrap || pl.FrameOff == 0 {
			wraps++
		}
		drops += pl.Drops
		who := "reference"
		if rng.Intn(2) == 0 {
			refs++
			refRun(t, nil, "feed", "--dir", dir, "plan", data)
		} else {
			who = "ours"
			p, err := Open(path, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.AppendJSON([]byte(data), nil, Fast); err != nil {
				t.Fatal(err)
			}
			p.Close()
		}
		raw, _ = os.ReadFile(path)
		after, _ := decodeHeader(raw)
		if after.cursors != pl.After {
			t.Fatalf("append %d (%s, %d bytes): header %+v, planner predicted %+v (from %+v)", i, who, len(doc), after.cursors, pl.After, h.cursors)
		}
	}
	t.Logf("%d appends by the reference; %d wrapped to 0, %d drops", refs, wraps, drops)
	var doc struct{ Reports []struct{ Status string } }
	json.Unmarshal(refRun(t, nil, "doctor", "--dir", dir, "plan", "--format", "json"), &doc)
	if len(doc.Reports) != 1 || doc.Reports[0].Status != "ok" {
		t.Fatalf("reference doctor: %+v", doc)
	}
}
