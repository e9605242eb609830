package core

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// messagePool creates a pool of size bytes holding n JSON messages of
// varied sizes (wrapping the ring when n is large enough) and returns its
// path.
func messagePool(t testing.TB, dir string, size int64, n int) string {
	t.Helper()
	path := filepath.Join(dir, "m.plasmite")
	p, err := Create(path, size)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < n; i++ {
		data := fmt.Sprintf(`{"i":%d,"pad":"%s","f":%d.25,"l":[1,"x",{"k":null}]}`, i, strings.Repeat("p", (i*37)%300), i)
		if _, err := p.AppendJSON([]byte(data), []string{"t", strconv.Itoa(i % 3)}, Fast); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// fullRead reads a pool as a reader would, and reports whether any read
// fails with Corrupt: a Tail from the oldest message to the end, and Get of
// every retained seq, each message rendered as `fetch` prints it and
// decoded as `--where` does.
func fullRead(t testing.TB, path string) (corrupt bool, why string) {
	t.Helper()
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		if KindOf(err) == Corrupt {
			return true, "open: " + err.Error()
		}
		t.Fatalf("open: %v", err)
	}
	defer p.Close()
	// As `fetch` prints a message, and as `--where` decodes it.
	render := func(m Message) error {
		_, err := lite3.AppendMessageJSON(nil, m.Payload, m.Seq, m.Time, jsonfmt.Compact)
		if err == nil {
			_, err = lite3.ToAny(m.Payload)
		}
		return lite3Err(err)
	}
	tl, _ := p.Tail(TailOptions{NoNotify: true})
	defer tl.Close()
	for {
		m, ok, err := tl.TryNext()
		if err == nil && ok {
			err = render(m)
		}
		if KindOf(err) == Corrupt {
			return true, fmt.Sprintf("tail: %v", err)
		}
		if err != nil {
			t.Fatalf("tail: %v", err)
		}
		if !ok {
			break
		}
	}
	b := p.Bounds()
	for s := b.Oldest; s != 0 && s <= b.Newest; s++ {
		m, err := p.Get(s)
		if err == nil {
			err = render(m)
		}
		if KindOf(err) == Corrupt {
			return true, fmt.Sprintf("get %d: %v", s, err)
		}
		if err != nil && KindOf(err) != NotFound {
			t.Fatalf("get %d: %v", s, err)
		}
	}
	return false, ""
}

// The doctor finds what a reader finds (issue 12): on copies of a pool
// with one random byte of its ring damaged, wherever a full read fails
// with Corrupt, Validate reports the pool corrupt. The quick check (frame
// headers only, what 1.2.1's doctor does) misses most payload damage.
func TestDoctorFindsWhatReadersFind(t *testing.T) {
	dir := t.TempDir()
	src := messagePool(t, dir, 64<<10, 700)
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := Validate(src); err != nil || r.Status != "ok" {
		t.Fatalf("healthy pool: %+v %v", r, err)
	}
	h, _ := decodeHeader(orig)
	rng := rand.New(rand.NewSource(12))
	path := filepath.Join(dir, "d.plasmite")
	n := stressKnob("PLASMITE_DAMAGE_COPIES", 600, 150)
	var readFailed, fullCaught, quickMissed, quickOK, fullOnly int
	for i := 0; i < n; i++ {
		b := append([]byte(nil), orig...)
		at := h.RingOffset + uint64(rng.Int63n(int64(h.RingSize)))
		b[at] ^= byte(1 + rng.Intn(255))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		full, err := Validate(path)
		if err != nil {
			t.Fatal(err)
		}
		quick, err := ValidateWith(path, ValidateOptions{Quick: true})
		if err != nil {
			t.Fatal(err)
		}
		bad, why := fullRead(t, path)
		if quick.Status == "ok" {
			quickOK++
		}
		if bad {
			readFailed++
			if full.Status != "corrupt" {
				t.Fatalf("copy %d (byte %d of the file): a read fails (%s) but the doctor says ok", i, at, why)
			}
			fullCaught++
			if quick.Status == "ok" {
				quickMissed++
			}
		} else if full.Status == "corrupt" {
			fullOnly++
		}
		if quick.Status == "corrupt" && full.Status == "ok" {
			t.Fatalf("copy %d: the quick check finds %v, the full one nothing", i, quick.Issues)
		}
	}
	t.Logf("%d damaged copies: a full read fails on %d; the doctor reports all %d; the quick check said ok on %d copies, missing %d of the failures; %d reported corrupt though every read succeeds",
		n, readFailed, fullCaught, quickOK, quickMissed, fullOnly)
	if readFailed == 0 || quickMissed == 0 {
		t.Fatal("the damage never reached a payload: the test proves nothing")
	}
}

// Issue 11 #4: a zeroed tail_next (header offset 80) is corrupt, as 1.2.1's
// doctor says ("tail_next mismatch"), in both modes.
func TestDoctorTailNext(t *testing.T) {
	dir := t.TempDir()
	path := messagePool(t, dir, 64<<10, 50)
	b, _ := os.ReadFile(path)
	if binary.LittleEndian.Uint64(b[hTailNext:]) == 0 {
		t.Fatal("tail_next is already 0")
	}
	binary.LittleEndian.PutUint64(b[hTailNext:], 0)
	os.WriteFile(path, b, 0o644)
	for _, quick := range []bool{false, true} {
		r, err := ValidateWith(path, ValidateOptions{Quick: quick})
		if err != nil || r.Status != "corrupt" || len(r.Issues) != 1 || r.Issues[0].Message != "tail_next mismatch" ||
			!is64(r.Issues[0].Offset, binary.LittleEndian.Uint64(b[hTail:])) {
			t.Fatalf("quick=%v: %+v %v", quick, r, err)
		}
	}
	// A damaged payload is named with its seq; the issue's seq is the last
	// good one, as in every report.
	path = messagePool(t, t.TempDir(), 64<<10, 5)
	p, _ := Open(path, OpenOptions{})
	o, _ := p.m.locate(3, loadCursors(p.m.data))
	p.m.ring[o+frameHeaderSize] = 0x55 // the payload's root type byte
	p.Close()
	r, err := Validate(path)
	if err != nil || r.Status != "corrupt" || !strings.HasPrefix(r.Issues[0].Message, "message 3 cannot be read: ") ||
		!is64(r.Issues[0].Seq, 2) || !is64(r.Issues[0].Offset, o) || !is64(r.LastGoodSeq, 2) {
		t.Fatalf("%+v %v", r, err)
	}
	if r, _ := ValidateWith(path, ValidateOptions{Quick: true}); r.Status != "ok" {
		t.Fatalf("quick: %+v", r)
	}
}

// The quick check is release 1.2.1's doctor: on a 1.2.1 pool with one
// random byte damaged in its header cursors, frame chain or payloads, both
// give the same verdict, issue message, seq, offset and last good seq.
func TestInteropQuickDoctorMatchesReference(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	refRun(t, nil, "pool", "create", "--dir", dir, "--size", "8K", "base")
	refRun(t, feedInput("d", 60), "feed", "--dir", dir, "base")
	orig, err := os.ReadFile(filepath.Join(dir, "base.plasmite"))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := decodeHeader(orig)
	rng := rand.New(rand.NewSource(11))
	path := filepath.Join(dir, "d.plasmite")
	n, differ, corrupt := 150, 0, 0
	if testing.Short() {
		n = 40
	}
	for i := 0; i < n; i++ {
		b := append([]byte(nil), orig...)
		at := h.RingOffset + uint64(rng.Int63n(int64(h.RingSize)))
		if i%4 == 0 {
			at = hHead + uint64(rng.Intn(hNewest+8-hHead)) // the cursors
		}
		b[at] ^= byte(1 + rng.Intn(255))
		os.WriteFile(path, b, 0o644)
		out, _, _ := reftest.Run(t, "doctor", "--dir", dir, "d")
		var ref struct {
			Reports []struct {
				Status      string
				LastGoodSeq *uint64 `json:"last_good_seq"`
				Issues      []struct {
					Message string
					Seq     *uint64
					Offset  *uint64
				}
			}
		}
		if err := json.Unmarshal(out, &ref); err != nil || len(ref.Reports) != 1 {
			t.Fatalf("reference doctor output %q: %v", out, err)
		}
		rr := ref.Reports[0]
		ours, err := ValidateWith(path, ValidateOptions{Quick: true})
		if err != nil {
			t.Fatal(err)
		}
		ptr := func(p *uint64) string {
			if p == nil {
				return "null"
			}
			return strconv.FormatUint(*p, 10)
		}
		want := rr.Status + " last_good=" + ptr(rr.LastGoodSeq)
		got := ours.Status + " last_good=" + ptr(ours.LastGoodSeq)
		for _, is := range rr.Issues {
			want += " [" + is.Message + " seq=" + ptr(is.Seq) + " offset=" + ptr(is.Offset) + "]"
		}
		for _, is := range ours.Issues {
			got += " [" + is.Message + " seq=" + ptr(is.Seq) + " offset=" + ptr(is.Offset) + "]"
		}
		if ours.Status == "corrupt" {
			corrupt++
		}
		if got != want {
			t.Errorf("copy %d (byte %d): ours %s, 1.2.1 %s", i, at, got, want)
			if differ++; differ > 5 {
				t.FailNow()
			}
		}
	}
	t.Logf("%d damaged copies, %d corrupt: same reports", n, corrupt)
}
