package core

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// wreck unpacks testdata/wrecks/NAME.plasmite.gz into dir.
func wreck(t testing.TB, dir, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "wrecks", name+".plasmite.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".plasmite")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var wrecks = []struct {
	name string
	lost []LostSeqs // Detail checked by prefix
}{
	{"ref-killed-writer-a", []LostSeqs{{First: 643869, Last: 643869, Reason: "missing", Offset: 1968,
		Detail: "not at its place: overwritten by an unfinished append of seq 643950 (at ring offset 1480)"}}},
	{"ref-killed-writer-torn-oldest", []LostSeqs{{First: 789209, Last: 789210, Reason: "missing", Offset: 3152576,
		Detail: "not at its place: overwritten by an unfinished append of seq 791877 (at ring offset 3152576)"}}},
}

// readAll reads every retained message with a Tail and checks each one
// decodes; it returns their seqs and payloads.
func readAll(t testing.TB, path string) (seqs []uint64, payloads map[uint64][]byte) {
	t.Helper()
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tl, _ := p.Tail(TailOptions{NoNotify: true})
	defer tl.Close()
	payloads = map[uint64][]byte{}
	for {
		m, ok, err := tl.TryNext()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !ok {
			return seqs, payloads
		}
		if _, err := lite3.AppendMessageJSON(nil, m.Payload, m.Seq, m.Time, jsonfmt.Compact); err != nil {
			t.Fatalf("seq %d: %v", m.Seq, err)
		}
		seqs = append(seqs, m.Seq)
		payloads[m.Seq] = append([]byte(nil), m.Payload...)
	}
}

// checkPartition checks that the kept and the lost seqs together are the
// claimed range, each exactly once, in order.
func checkPartition(t testing.TB, r RepairReport) {
	t.Helper()
	next := r.Before.Oldest
	var inside []LostSeqs
	for _, l := range r.Lost {
		if l.Placeholder {
			inside = append(inside, l)
			continue
		}
		if l.First != next || l.Last < l.First || len(inside) > 0 {
			t.Fatalf("lost runs %+v do not follow on from %d (report %+v)", r.Lost, next, r)
		}
		next = l.Last + 1
	}
	if r.After.Oldest != 0 {
		if r.After.Oldest != next || r.After.Newest != r.Before.Newest {
			t.Fatalf("kept %v after lost runs ending before %d; claimed %v", r.After, next, r.Before)
		}
	} else if next != r.Before.Newest+1 && r.Before.Oldest != 0 {
		t.Fatalf("empty result, but the lost runs end before %d; claimed %v", next, r.Before)
	}
	for i, l := range inside {
		if l.First < r.After.Oldest || l.Last > r.After.Newest || l.Reason == "cut_off" || i > 0 && l.First <= inside[i-1].Last {
			t.Fatalf("placeholder runs %+v outside the kept %v or out of order", inside, r.After)
		}
	}
}

// checkPlaceholders checks that every seq the report says is a placeholder
// reads as one: tagged PlaceholderTag, with data {"lost": reason} unless
// its space was too short for that document.
func checkPlaceholders(t testing.TB, path string, r RepairReport) {
	t.Helper()
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, l := range r.Lost {
		for seq := l.First; l.Placeholder && seq <= l.Last; seq++ {
			m, err := p.Get(seq)
			if err != nil {
				t.Fatalf("placeholder %d: %v", seq, err)
			}
			doc, err := lite3.ToAny(m.Payload)
			if err != nil {
				t.Fatalf("placeholder %d: %v", seq, err)
			}
			full := len(m.Payload) >= len(placeholderDocs[l.Reason][0])
			meta, _ := doc["meta"].(map[string]any)
			tags, _ := meta["tags"].([]any)
			data, _ := doc["data"].(map[string]any)
			if full && (len(tags) != 1 || tags[0] != PlaceholderTag || len(data) != 1 || data["lost"] != l.Reason) {
				t.Fatalf("placeholder %d reads %v", seq, doc)
			}
		}
	}
}

// ringDiff returns the ring offsets (8-aligned) where a and b differ; b
// is a valid pool, whose geometry is used.
func ringDiff(a, b []byte) []uint64 {
	h, _ := decodeHeader(b)
	var out []uint64
	for o := h.RingOffset; o < uint64(len(a)); o += 8 {
		if !bytes.Equal(a[o:min(o+8, uint64(len(a)))], b[o:min(o+8, uint64(len(b)))]) {
			out = append(out, o-h.RingOffset)
		}
	}
	return out
}

// The two pools left Corrupt by SIGKILLed 1.2.1 writers are repaired:
// exactly the overwritten oldest messages are lost (and reported, with
// why), every other one reads back unchanged, a backup holds the original,
// and a second repair changes nothing.
func TestRepairWrecks(t *testing.T) {
	for _, w := range wrecks {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			path := wreck(t, dir, w.name)
			orig, _ := os.ReadFile(path)
			if r, _ := Validate(path); r.Status != "corrupt" {
				t.Fatalf("the wreck validates: %+v", r)
			}
			dry, err := Repair(path, RepairOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) || dry.Changed || dry.Backup != "" {
				t.Fatal("the dry run changed something")
			}
			r, err := Repair(path, RepairOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Changed || len(r.Lost) != len(w.lost) || len(r.Fixes) == 0 {
				t.Fatalf("%+v", r)
			}
			for i, l := range w.lost {
				if r.Lost[i] != l {
					t.Fatalf("lost %+v, want %+v", r.Lost[i], l)
				}
			}
			checkPartition(t, r)
			if dry.After != r.After || len(dry.Lost) != len(r.Lost) || strings.Join(dry.Fixes, ";") != strings.Join(r.Fixes, ";") {
				t.Fatalf("dry run %+v, repair %+v", dry, r)
			}
			if b, err := os.ReadFile(r.Backup); err != nil || !bytes.Equal(b, orig) || !strings.HasPrefix(r.Backup, path+".bak-") {
				t.Fatalf("backup %q: %v", r.Backup, err)
			}
			fixed, _ := os.ReadFile(path)
			if d := ringDiff(orig, fixed); len(d) != 0 {
				t.Fatalf("message bytes changed at %v", d)
			}
			if v, err := Validate(path); err != nil || v.Status != "ok" {
				t.Fatalf("after repair: %+v %v", v, err)
			}
			seqs, _ := readAll(t, path)
			if len(seqs) == 0 || seqs[0] != r.After.Oldest || seqs[len(seqs)-1] != r.After.Newest || uint64(len(seqs)) != r.After.Newest-r.After.Oldest+1 {
				t.Fatalf("read %d messages (%d..), kept %v", len(seqs), seqs[0], r.After)
			}
			again, err := Repair(path, RepairOptions{})
			if now, _ := os.ReadFile(path); err != nil || again.Changed || again.Backup != "" || len(again.Lost) != 0 || !bytes.Equal(now, fixed) {
				t.Fatalf("second repair: %+v %v", again, err)
			}
			q, err := Open(path, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if rc, err := q.AppendJSON([]byte(`{"after":"repair"}`), nil, Flush); err != nil || rc.Seq != r.After.Newest+1 {
				t.Fatalf("append after repair: %+v %v", rc, err)
			}
			mustStrict(t, q)
		})
	}
}

// poolStates returns pools that are healthy in their various ways, written
// by our writer: empty, a few messages, wrapped, wrapped with tail_next on
// a wrap marker, full, and one with the leftover of an append killed before
// it published (a committed frame past the head).
func poolStates(t *testing.T) map[string]string {
	dir := t.TempDir()
	out := map[string]string{}
	mk := func(name string, size int64, msgs int, pad int) *Pool {
		p, err := Create(filepath.Join(dir, name+".plasmite"), size)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < msgs; i++ {
			if _, err := p.AppendJSON([]byte(`{"i":`+itoa(uint64(i))+`,"p":"`+strings.Repeat("x", (i*pad)%400)+`"}`), []string{"a"}, Fast); err != nil {
				t.Fatal(err)
			}
		}
		out[name] = p.Path()
		return p
	}
	mk("empty", 64<<10, 0, 0).Close()
	mk("few", 64<<10, 5, 7).Close()
	mk("wrapped", 64<<10, 900, 13).Close()
	mk("noindex", 8192, 90, 3).Close()
	mk("big", 4<<20, 7000, 11).Close()
	// Same-size messages that exactly fill the ring, so that head meets tail.
	{
		d := doc(t)
		p, err := CreateWith(filepath.Join(dir, "full.plasmite"), CreateOptions{Size: 4096 + 4*int64(frameLen(uint64(len(d)))), IndexCapacity: u64p32(0)})
		if err != nil {
			t.Fatal(err)
		}
		out["full"] = p.Path()
		for i := 0; i < 9; i++ {
			if _, err := p.AppendLite3(d, Fast); err != nil {
				t.Fatal(err)
			}
		}
		if c := loadCursors(p.m.data); c.Head != c.Tail {
			t.Fatalf("not full: %+v", c)
		}
		p.Close()
	}
	// The leftover of an append killed after committing its frame.
	{
		p := mk("leftover", 64<<10, 300, 5)
		releaseLease(p)
		c := loadCursors(p.m.data)
		d := doc(t)
		putFrameHeader(p.m.ring[c.Head:], stateCommitted, c.Newest+1, 1, uint32(len(d)))
		copy(p.m.ring[c.Head+64:], d)
		copy(p.m.ring[c.Head+64+uint64(len(d)):], commitMagic[:])
		p.Close()
	}
	return out
}

// On a healthy pool, Repair changes nothing: the file stays byte-identical,
// no backup is written, nothing is reported lost.
func TestRepairHealthyPoolUnchanged(t *testing.T) {
	for name, path := range poolStates(t) {
		before, _ := os.ReadFile(path)
		if r, err := Validate(path); err != nil || r.Status != "ok" {
			t.Fatalf("%s: not healthy: %+v %v", name, r, err)
		}
		for _, dry := range []bool{true, false} {
			r, err := Repair(path, RepairOptions{DryRun: dry})
			if err != nil || r.Changed || r.Backup != "" || len(r.Lost) != 0 || len(r.Fixes) != 0 || r.After != r.Before {
				t.Fatalf("%s (dry run %v): %+v %v", name, dry, r, err)
			}
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Fatalf("%s: file changed", name)
		}
		if m, _ := filepath.Glob(path + ".bak-*"); len(m) != 0 {
			t.Fatalf("%s: backups %v", name, m)
		}
	}
}

// Repair refuses what it cannot trust, and changes nothing then.
func TestRepairRefuses(t *testing.T) {
	dir := t.TempDir()
	path := messagePool(t, dir, 64<<10, 20)
	orig, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		kind   Kind
		msg    string
	}{
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }, Corrupt, "bad magic"},
		{"version", func(b []byte) []byte { b[hVersion] = 42; return b }, Usage, "unsupported pool format version 42"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-4096] }, Corrupt, "truncated or extended"},
		{"extended", func(b []byte) []byte { return append(b, make([]byte, 4096)...) }, Corrupt, "truncated or extended"},
		{"geometry", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[hIndexCap:], 7)
			binary.LittleEndian.PutUint64(b[hRingOffset:], 5000)
			return b
		}, Corrupt, "geometry"},
		{"too short", func(b []byte) []byte { return b[:100] }, Corrupt, "too short"},
	} {
		b := tc.damage(append([]byte(nil), orig...))
		os.WriteFile(path, b, 0o644)
		_, err := Repair(path, RepairOptions{})
		if KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, b) {
			t.Errorf("%s: file changed", tc.name)
		}
	}
	if m, _ := filepath.Glob(path + ".bak-*"); len(m) != 0 {
		t.Fatalf("backups %v", m)
	}
	if _, err := Repair(filepath.Join(dir, "nope.plasmite"), RepairOptions{}); KindOf(err) != NotFound {
		t.Fatal(err)
	}
}

// frameSpan is a retained frame: its seq and the bytes a writer wrote for
// it (header to commit marker).
type frameSpan struct{ seq, off, end uint64 }

func retainedFrames(t testing.TB, m *mapping) []frameSpan {
	t.Helper()
	c := loadCursors(m.data)
	var out []frameSpan
	o := c.Tail
	for s := c.Oldest; s != 0 && s <= c.Newest; s++ {
		if atWrapPoint(m.ring, o) {
			o = 0
		}
		f, err := decodeFrameHeader(m.ring[o:])
		if err != nil || f.Seq != s {
			t.Fatalf("seq %d at %d: %v", s, o, err)
		}
		out = append(out, frameSpan{s, o, o + 64 + uint64(f.PayloadLen) + 8})
		o = endOf(uint64(len(m.ring)), o, f.frameLen())
	}
	return out
}

// tornAppend does to a pool what a 1.2.1 writer SIGKILLed in mid-append
// leaves: the frames it needs room for are overwritten by a new frame (left
// Writing, written bytes of its payload of n) while the header, which
// 1.2.1 publishes last together with the drops, still counts them. It
// returns the seqs whose frames the write touched.
func tornAppend(t testing.TB, p *Pool, n, written int) (hit []uint64) {
	t.Helper()
	releaseLease(p)
	m := p.m
	frames := retainedFrames(t, m)
	pl, err := planAppend(m.ring, loadCursors(m.data), uint64(n))
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ lo, hi uint64 }
	var spans []span
	if pl.HasWrap {
		spans = append(spans, span{pl.WrapOff, pl.WrapOff + 64})
		putFrameHeader(m.ring[pl.WrapOff:], stateWrap, 0, 0, 0)
	}
	f := pl.FrameOff
	putFrameHeader(m.ring[f:], stateWriting, pl.Seq, 1, uint32(n))
	written = min(written, n)
	for i := 0; i < written; i++ {
		m.ring[f+64+uint64(i)] = byte(i | 1)
	}
	spans = append(spans, span{f, f + 64 + uint64(written)})
	for _, fs := range frames {
		for _, sp := range spans {
			if fs.off < sp.hi && sp.lo < fs.end {
				hit = append(hit, fs.seq)
				break
			}
		}
	}
	return hit
}

// mustSurvive reads a damaged pool as a reader would and returns what
// Repair must keep: every claimed message that can be read (Get, rendered
// as fetch prints it and decoded as --where does), with its payload.
// Nothing when the pool does not open or claims more messages than its
// ring can hold.
func mustSurvive(t testing.TB, path string) (keep map[uint64][]byte) {
	t.Helper()
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return nil
	}
	defer p.Close()
	b := p.Bounds()
	if b.Oldest == 0 || b.Newest-b.Oldest > p.m.geo.RingSize/72 {
		return nil
	}
	keep = map[uint64][]byte{}
	for s := b.Oldest; s <= b.Newest && s != 0; s++ {
		m, err := p.Get(s)
		if err != nil {
			continue
		}
		if _, err := lite3.AppendMessageJSON(nil, m.Payload, m.Seq, m.Time, jsonfmt.Compact); err != nil {
			continue
		}
		if _, err := lite3.ToAny(m.Payload); err != nil {
			continue
		}
		keep[s] = m.Payload
	}
	return keep
}

// checkRepaired repairs the damaged pool at path (no backup) and checks
// the guarantees: every message a reader could read survives unchanged or
// is reported cut off (the callers count those), the report partitions the
// claimed range, placeholders read as such, no readable message's byte
// changes (the ring changes only where a wrap marker, a frame header or a
// placeholder was written), the result validates, and a second repair
// changes nothing. It returns the report and the repaired bytes.
func checkRepaired(t testing.TB, path string, what string, claimsTrusted bool) (RepairReport, []byte) {
	t.Helper()
	damaged, _ := os.ReadFile(path)
	keep := mustSurvive(t, path)
	r, err := Repair(path, RepairOptions{NoBackup: true})
	if err != nil {
		t.Fatalf("%s: repair: %v", what, err)
	}
	fixed, _ := os.ReadFile(path)
	if v, err := Validate(path); err != nil || v.Status != "ok" {
		t.Fatalf("%s: after repair %+v: %+v %v", what, r, v, err)
	}
	if r.Changed == bytes.Equal(damaged, fixed) {
		t.Fatalf("%s: Changed %v", what, r.Changed)
	}
	if claimsTrusted {
		checkPartition(t, r)
	}
	q, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		t.Fatal(err)
	}
	lostAs := func(seq uint64) *LostSeqs {
		for i, l := range r.Lost {
			if l.First <= seq && seq <= l.Last {
				return &r.Lost[i]
			}
		}
		return nil
	}
	for s, pl := range keep {
		if l := lostAs(s); l != nil {
			if l.Reason != "cut_off" {
				q.Close()
				t.Fatalf("%s: seq %d, readable before the repair, reported %s; report %+v", what, s, l.Reason, r)
			}
			continue
		}
		m, err := q.Get(s)
		if err != nil || !bytes.Equal(m.Payload, pl) {
			q.Close()
			t.Fatalf("%s: seq %d, readable before the repair, is gone or changed (%v); report %+v", what, s, err, r)
		}
	}
	h := q.m.geo
	q.Close()
	checkPlaceholders(t, path, r)
	// Ring bytes may change only where a wrap marker, a frame header (and
	// its commit marker) or a placeholder was written.
	type span struct{ lo, hi uint64 }
	var spans []span
	for _, fx := range r.Fixes {
		if i := strings.Index(fx, "at ring offset "); i >= 0 {
			o := atoiU(fx[i+len("at ring offset "):])
			spans = append(spans, span{o, o + 64})
			if strings.HasPrefix(fx, "placeholder of seq ") {
				fl := atoiU(fx[strings.LastIndex(fx, "(")+1:])
				spans = append(spans, span{o, o + fl})
			}
			if strings.Contains(fx, " stray child offsets cleared in the payload") {
				pl := uint64(binary.LittleEndian.Uint32(fixed[h.RingOffset+o+fLen:]))
				spans = append(spans, span{o + 64, o + 64 + pl})
			}
			if strings.HasPrefix(fx, "frame header") {
				pl := uint64(binary.LittleEndian.Uint32(fixed[h.RingOffset+o+fLen:]))
				spans = append(spans, span{o + 64 + pl, o + 72 + pl})
			}
		}
	}
	for _, o := range ringDiff(damaged, fixed) {
		ok := false
		for _, sp := range spans {
			ok = ok || o+8 > sp.lo && o < sp.hi
		}
		if !ok {
			t.Fatalf("%s: ring byte %d changed (ring size %d); report %+v", what, o, h.RingSize, r)
		}
	}
	again, err := Repair(path, RepairOptions{NoBackup: true})
	if now, _ := os.ReadFile(path); err != nil || again.Changed || !bytes.Equal(now, fixed) {
		t.Fatalf("%s: second repair: %+v %v", what, again, err)
	}
	return r, fixed
}

// sameMessage reports whether seq has the same payload and time in both pools.
func sameMessage(t testing.TB, a, b string, seq uint64) bool {
	t.Helper()
	get := func(path string) Message {
		p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		m, err := p.Get(seq)
		if err != nil {
			t.Fatalf("%s: seq %d: %v", path, seq, err)
		}
		return m
	}
	x, y := get(a), get(b)
	return x.Time == y.Time && bytes.Equal(x.Payload, y.Payload)
}

func atoiU(s string) uint64 {
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// Generated damage: random bytes of the ring, zeroed spans of it, random
// bytes of the header and of the index; torn appends; damaged header
// cursors. Repair never loses a message a reader could read, reports the
// rest exactly (placeholders standing for the lost messages between
// readable ones), and restores a damaged header (or index) to what it was.
func TestRepairGeneratedDamage(t *testing.T) {
	dir := t.TempDir()
	src := messagePool(t, dir, 64<<10, 700)
	orig, _ := os.ReadFile(src)
	h, _ := decodeHeader(orig)
	path := filepath.Join(dir, "d.plasmite")
	rng := rand.New(rand.NewSource(7))
	n := stressKnob("PLASMITE_REPAIR_COPIES", 200, 60)
	stats := map[string]int{}
	write := func(b []byte) { os.WriteFile(path, b, 0o644) }
	// Ring bytes.
	for i := 0; i < n; i++ {
		b := append([]byte(nil), orig...)
		at := h.RingOffset + uint64(rng.Int63n(int64(h.RingSize)))
		b[at] ^= byte(1 + rng.Intn(255))
		write(b)
		r, _ := checkRepaired(t, path, "ring byte "+itoa(at), true)
		if r.Changed {
			stats["ring: repaired"]++
		}
		// A rebuilt frame header, or a payload whose stray child offsets
		// are cleared, carries the message that was there.
		for _, fx := range r.Fixes {
			var seq uint64
			switch {
			case strings.HasPrefix(fx, "frame header of seq "):
				seq = atoiU(fx[len("frame header of seq "):])
				stats["ring: frame headers rebuilt"]++
			case strings.Contains(fx, "stray child offsets cleared in the payload of seq "):
				seq = atoiU(fx[strings.Index(fx, "of seq ")+len("of seq "):])
				stats["ring: stray child offsets cleared"]++
			default:
				continue
			}
			if !sameMessage(t, src, path, seq) {
				t.Fatalf("ring byte %d: %s, but seq %d differs from the original", at, fx, seq)
			}
		}
		for _, l := range r.Lost {
			stats["ring: lost "+l.Reason] += int(l.Last - l.First + 1)
			if l.Placeholder {
				stats["ring: placeholders"] += int(l.Last - l.First + 1)
			}
		}
	}
	// Spans of the ring zeroed (frame headers destroyed, several frames
	// at once, across the ring end too): placeholders for the messages
	// between readable ones.
	for i := 0; i < n/2; i++ {
		b := append([]byte(nil), orig...)
		at := rng.Int63n(int64(h.RingSize))
		l := 8 + rng.Int63n(3000)
		for j := int64(0); j < l; j++ {
			b[h.RingOffset+uint64((at+j)%int64(h.RingSize))] = 0
		}
		write(b)
		r, _ := checkRepaired(t, path, "ring span "+itoa(uint64(at))+"+"+itoa(uint64(l)), true)
		for _, l := range r.Lost {
			stats["span: lost "+l.Reason] += int(l.Last - l.First + 1)
			if l.Placeholder {
				stats["span: placeholders"] += int(l.Last - l.First + 1)
			}
		}
	}
	// No readable message is cut off by damage elsewhere.
	if stats["ring: lost cut_off"]+stats["span: lost cut_off"] != 0 {
		t.Fatalf("readable messages cut off: %v", stats)
	}
	// Header bytes (after magic and version) and index bytes: the repair
	// gives back the original file, except bytes nobody reads.
	unread := func(o uint64) bool { return o >= 9 && o < 16 || o >= 36 && o < 40 || o >= 56 && o < 64 }
	for i := 0; i < n; i++ {
		b := append([]byte(nil), orig...)
		at := uint64(8 + rng.Intn(hNewest+8-8))
		if i%2 == 1 {
			at = indexOffset + uint64(rng.Intn(int(slotSize*h.IndexCapacity)))
		}
		b[at] ^= byte(1 + rng.Intn(255))
		write(b)
		_, fixed := checkRepaired(t, path, "header byte "+itoa(at), false)
		if !bytes.Equal(fixed, orig) && !(unread(at) && bytes.Equal(fixed, b)) && !(at >= indexOffset && bytes.Equal(fixed, b)) {
			t.Fatalf("header byte %d: the repair did not restore the original", at)
		}
		stats["header/index: restored"]++
	}
	// Cursor fields set to plausible wrong values, one at a time.
	for i := 0; i < n/2; i++ {
		b := append([]byte(nil), orig...)
		field := []uint64{hHead, hTail, hTailNext, hOldest, hNewest}[i%5]
		v := binary.LittleEndian.Uint64(b[field:])
		if field <= hTailNext {
			v = uint64(rng.Int63n(int64(h.RingSize))) &^ 7
		} else {
			v = uint64(int64(v) + int64(rng.Intn(41)-20))
		}
		binary.LittleEndian.PutUint64(b[field:], v)
		write(b)
		r, fixed := checkRepaired(t, path, "cursor "+itoa(field)+" = "+itoa(v), false)
		if !bytes.Equal(fixed, orig) {
			t.Fatalf("cursor at %d = %d: not restored: %+v", field, v, r)
		}
		stats["cursors: restored"]++
	}
	// Torn appends of 1.2.1 writers: exactly the overwritten frames are lost.
	for i := 0; i < n/2; i++ {
		write(orig)
		p, err := Open(path, OpenOptions{NoNotify: true})
		if err != nil {
			t.Fatal(err)
		}
		size := 400 + rng.Intn(3000)
		hit := tornAppend(t, p, size, rng.Intn(size+1))
		p.Close()
		r, _ := checkRepaired(t, path, "torn append", true)
		var lost []uint64
		for _, l := range r.Lost {
			for s := l.First; s <= l.Last; s++ {
				lost = append(lost, s)
			}
		}
		if !eq(lost, hit) {
			t.Fatalf("torn append over %v: lost %+v", hit, r.Lost)
		}
		stats["torn: lost"] += len(lost)
	}
	t.Logf("%v", stats)
}

// The repaired pools open and read in release 1.2.1: the wrecks (its doctor
// says ok, follow --no-follow prints exactly the kept messages, fetch finds
// the oldest kept one and not a lost one, feed appends after the newest),
// and damaged copies of a pool 1.2.1 wrote.
func TestInteropRepairedPoolsReadByReference(t *testing.T) {
	reftest.Bin(t)
	dir := t.TempDir()
	refDoctorOK := func(name string) {
		t.Helper()
		out, errb, code := reftest.Run(t, "doctor", "--dir", dir, name)
		if code != 0 || !strings.Contains(string(out), `"status":"ok"`) {
			t.Fatalf("%s: 1.2.1 doctor exit %d: %s %s", name, code, out, errb)
		}
	}
	for _, w := range wrecks {
		path := wreck(t, dir, w.name)
		r, err := Repair(path, RepairOptions{NoBackup: true})
		if err != nil {
			t.Fatal(err)
		}
		refDoctorOK(w.name)
		lines := refMessages(t, dir, w.name)
		var first, last struct{ Seq uint64 }
		json.Unmarshal([]byte(lines[0]), &first)
		json.Unmarshal([]byte(lines[len(lines)-1]), &last)
		if uint64(len(lines)) != r.After.Newest-r.After.Oldest+1 || first.Seq != r.After.Oldest || last.Seq != r.After.Newest {
			t.Fatalf("%s: 1.2.1 follows %d messages %d..%d; kept %v", w.name, len(lines), first.Seq, last.Seq, r.After)
		}
		refRun(t, nil, "fetch", "--dir", dir, w.name, itoa(r.After.Oldest))
		if _, _, code := reftest.Run(t, "fetch", "--dir", dir, w.name, itoa(r.Lost[0].First)); code != 3 {
			t.Fatalf("%s: fetch of lost seq %d: exit %d", w.name, r.Lost[0].First, code)
		}
		out := refRun(t, []byte(`{"after":"repair"}`), "feed", "--dir", dir, w.name)
		if !strings.Contains(string(out), `"seq":`+itoa(r.After.Newest+1)) {
			t.Fatalf("%s: 1.2.1 feed after repair: %s", w.name, out)
		}
		if v, err := Validate(path); err != nil || v.Status != "ok" {
			t.Fatalf("%s: after 1.2.1 appended: %+v %v", w.name, v, err)
		}
	}
	refRun(t, nil, "pool", "create", "--dir", dir, "--size", "64K", "ref")
	refRun(t, feedInput("r", 600), "feed", "--dir", dir, "ref")
	src := filepath.Join(dir, "ref.plasmite")
	orig, _ := os.ReadFile(src)
	h, _ := decodeHeader(orig)
	rng := rand.New(rand.NewSource(3))
	repaired := 0
	placeholders := 0
	for i := 0; i < 60; i++ {
		b := append([]byte(nil), orig...)
		at := h.RingOffset + uint64(rng.Int63n(int64(h.RingSize)))
		what := "1.2.1 pool, ring byte " + itoa(at)
		if i%3 == 2 { // a span zeroed, across the ring end at times
			n := 8 + rng.Intn(2500)
			for j := 0; j < n; j++ {
				b[h.RingOffset+(at-h.RingOffset+uint64(j))%h.RingSize] = 0
			}
			what = "1.2.1 pool, ring span " + itoa(at) + "+" + itoa(uint64(n))
		} else {
			b[at] ^= byte(1 + rng.Intn(255))
		}
		os.WriteFile(src, b, 0o644)
		r, _ := checkRepaired(t, src, what, true)
		if r.Changed {
			repaired++
		}
		refDoctorOK("ref")
		// 1.2.1 reads every kept message, placeholders included, tagged.
		lines := refMessages(t, dir, "ref")
		if r.After.Oldest != 0 && uint64(len(lines)) != r.After.Newest-r.After.Oldest+1 {
			t.Fatalf("%s: 1.2.1 reads %d messages of %v", what, len(lines), r.After)
		}
		for _, l := range r.Lost {
			for seq := l.First; l.Placeholder && seq <= l.Last; seq++ {
				placeholders++
				if line := lines[seq-r.After.Oldest]; !strings.Contains(line, `"seq":`+itoa(seq)+`,`) || !strings.Contains(line, `"`+PlaceholderTag+`"`) {
					t.Fatalf("%s: 1.2.1 reads placeholder %d as %s", what, seq, line)
				}
			}
		}
	}
	t.Logf("60 damaged copies of a 1.2.1 pool, %d repaired (%d placeholders), all read by 1.2.1", repaired, placeholders)
}

// roleFeeder appends arg JSON messages.
func roleFeeder(path, arg string) int {
	n := int(atoiU(arg))
	p, err := Open(path, OpenOptions{})
	if err != nil {
		return 1
	}
	defer p.Close()
	for i := 0; i < n; i++ {
		if _, err := p.AppendJSON([]byte(`{"i":`+itoa(uint64(i))+`,"p":"`+strings.Repeat("y", i%200)+`"}`), nil, Fast); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// Repair takes the writer lock: run over and over against a pool another
// process is appending to, it never finds anything to repair, and the
// writer never fails.
func TestRepairWhileWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.plasmite")
	p, err := Create(path, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	w := child(t, "feeder", path, "20000")
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Wait() }()
	runs := 0
	for finished := false; !finished; runs++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("writer: %v", err)
			}
			finished = true
		default:
		}
		r, err := Repair(path, RepairOptions{})
		if err != nil || r.Changed || len(r.Fixes) != 0 || r.Backup != "" {
			t.Fatalf("run %d: %+v %v", runs, r, err)
		}
	}
	if v, err := Validate(path); err != nil || v.Status != "ok" || !is64(v.LastGoodSeq, 20000) {
		t.Fatalf("%+v %v", v, err)
	}
	t.Logf("%d repairs while the writer appended", runs)
}

// What Repair keeps and reports for damage at the ends and in the middle
// of the run (the choices documented on Repair).
func TestRepairDecisions(t *testing.T) {
	dir := t.TempDir()
	src := messagePool(t, dir, 64<<10, 40) // seqs 1..40, unwrapped
	orig, _ := os.ReadFile(src)
	path := filepath.Join(dir, "d.plasmite")
	h, _ := decodeHeader(orig)
	frames := func() map[uint64]frameSpan {
		p, _ := Open(src, OpenOptions{ReadOnly: true})
		defer p.Close()
		m := map[uint64]frameSpan{}
		for _, f := range retainedFrames(t, p.m) {
			m[f.seq] = f
		}
		return m
	}()
	damage := func(seq, at uint64) RepairReport {
		t.Helper()
		b := append([]byte(nil), orig...)
		b[h.RingOffset+frames[seq].off+at] ^= 0x5A
		os.WriteFile(path, b, 0o644)
		r, err := Repair(path, RepairOptions{NoBackup: true})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := Validate(path); v.Status != "ok" {
			t.Fatalf("seq %d byte %d: %+v", seq, at, v)
		}
		return r
	}
	lostString := func(r RepairReport) string {
		var parts []string
		for _, l := range r.Lost {
			parts = append(parts, itoa(l.First)+"-"+itoa(l.Last)+":"+l.Reason)
		}
		return strings.Join(parts, " ")
	}
	// A frame header field: rebuilt, nothing lost (not for the oldest, which
	// nothing before it vouches for).
	for _, at := range []uint64{fMagic, fState, fHdrLen, fSeq, fLen, fLenXor} {
		for _, seq := range []uint64{40, 20} {
			if r := damage(seq, at); r.After != (Bounds{1, 40}) || len(r.Lost) != 0 || !strings.HasPrefix(r.Fixes[0], "frame header of seq "+itoa(seq)) {
				t.Fatalf("seq %d header byte %d: %+v", seq, at, r)
			}
		}
	}
	if r := damage(1, fMagic); r.After != (Bounds{2, 40}) || lostString(r) != "1-1:missing" {
		t.Fatalf("oldest frame header: %+v", r)
	}
	// A payload: a placeholder takes its place, at its time; nothing else
	// is lost, the newest one's included.
	for _, seq := range []uint64{20, 40} {
		r := damage(seq, 64)
		if r.After != (Bounds{1, 40}) || lostString(r) != itoa(seq)+"-"+itoa(seq)+":damaged" || !r.Lost[0].Placeholder {
			t.Fatalf("payload of %d: %s %+v", seq, lostString(r), r)
		}
		checkPlaceholders(t, path, r)
		q, _ := Open(path, OpenOptions{ReadOnly: true})
		m, err := q.Get(seq)
		q.Close()
		if ts := binary.LittleEndian.Uint64(orig[h.RingOffset+frames[seq].off+fTime:]); err != nil || uint64(m.Time) != ts {
			t.Fatalf("placeholder %d: time %d, want %d (%v)", seq, m.Time, ts, err)
		}
	}
	// Frames destroyed whole: one placeholder per seq in their space.
	zero := func(from, to uint64) RepairReport {
		t.Helper()
		b := append([]byte(nil), orig...)
		lo, hi := frames[from].off, frames[to].end
		clear(b[h.RingOffset+lo : h.RingOffset+hi])
		os.WriteFile(path, b, 0o644)
		r, err := Repair(path, RepairOptions{NoBackup: true})
		if v, _ := Validate(path); err != nil || v.Status != "ok" {
			t.Fatalf("%d-%d zeroed: %+v %v", from, to, v, err)
		}
		checkPlaceholders(t, path, r)
		return r
	}
	if r := zero(20, 22); r.After != (Bounds{1, 40}) || lostString(r) != "20-22:missing" {
		t.Fatalf("20-22 zeroed: %s %+v", lostString(r), r)
	}
	if r := zero(38, 40); r.After != (Bounds{1, 40}) || lostString(r) != "38-40:missing" {
		t.Fatalf("38-40 zeroed: %s %+v", lostString(r), r)
	}
	// A readable frame between the damage and the run's next readable one
	// that carries a seq it cannot have is never overwritten: what lies
	// below it is cut off.
	b := append([]byte(nil), orig...)
	b[h.RingOffset+frames[20].off+64] ^= 0x5A
	binary.LittleEndian.PutUint64(b[h.RingOffset+frames[19].off+fSeq:], 45)
	os.WriteFile(path, b, 0o644)
	if r, err := Repair(path, RepairOptions{NoBackup: true}); err != nil || r.After != (Bounds{21, 40}) ||
		lostString(r) != "1-18:cut_off 19-19:missing 20-20:damaged" {
		t.Fatalf("a foreign readable frame in the gap: %s %+v %v", lostString(r), r, err)
	}
	// The newest payload damaged and the head offset too: no placeholder
	// can stand for it, and since seqs are never reused the pool is left
	// empty, its next seq 41.
	b = append([]byte(nil), orig...)
	b[h.RingOffset+frames[40].off+64] ^= 0x5A
	binary.LittleEndian.PutUint64(b[hHead:], 12345)
	os.WriteFile(path, b, 0o644)
	if r, err := Repair(path, RepairOptions{NoBackup: true}); err != nil || r.After != (Bounds{}) || lostString(r) != "1-39:cut_off 40-40:damaged" {
		t.Fatalf("newest payload and head: %s %+v %v", lostString(r), r, err)
	}
	p, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if rc, err := p.AppendJSON([]byte(`{}`), nil, Fast); err != nil || rc.Seq != 41 {
		t.Fatalf("append after emptying: %+v %v", rc, err)
	}
}

// FuzzRepair repairs pools of real messages with up to two damaged spans
// (a byte pattern written at two places of the file): Repair either
// refuses and changes nothing, or leaves a pool that validates, that a
// second repair leaves alone, and in which every message a reader could
// read before is unchanged or reported cut off.
func FuzzRepair(f *testing.F) {
	base, _ := os.ReadFile(messagePool(f, f.TempDir(), 16<<10, 60))
	f.Add(base, uint16(4096+9000), uint16(4096+3000), uint16(600), byte(0))
	f.Add(base, uint16(4096+9000), uint16(0), uint16(1), byte(0x5A))
	f.Add(base, uint16(64), uint16(4096+12000), uint16(8), byte(0xFF))
	f.Add(base, uint16(4096+16000), uint16(4096+100), uint16(900), byte(0))
	f.Fuzz(func(t *testing.T, file []byte, a, b, n uint16, v byte) {
		if len(file) > 1<<16 || len(file) < headerSize {
			return
		}
		file = append([]byte(nil), file...)
		for _, at := range []int{int(a), int(b)} {
			for j := 0; j < int(n)%2048 && at+j < len(file); j++ {
				file[at+j] = v
			}
		}
		path := filepath.Join(t.TempDir(), "f.plasmite")
		os.WriteFile(path, file, 0o644)
		keep := mustSurvive(t, path)
		r, err := Repair(path, RepairOptions{NoBackup: true})
		fixed, _ := os.ReadFile(path)
		if err != nil {
			if !bytes.Equal(fixed, file) {
				t.Fatalf("refused (%v) but changed the file", err)
			}
			return
		}
		if v, err := Validate(path); err != nil || v.Status != "ok" {
			t.Fatalf("after repair %+v: %+v %v", r, v, err)
		}
		again, err := Repair(path, RepairOptions{NoBackup: true})
		if now, _ := os.ReadFile(path); err != nil || again.Changed || !bytes.Equal(now, fixed) {
			t.Fatalf("second repair: %+v %v", again, err)
		}
		p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		for seq, pl := range keep {
			cut := false
			for _, l := range r.Lost {
				cut = cut || l.First <= seq && seq <= l.Last && l.Reason == "cut_off"
			}
			if m, err := p.Get(seq); !cut && (err != nil || !bytes.Equal(m.Payload, pl)) {
				t.Fatalf("seq %d, readable before, is gone or changed (%v); report %+v", seq, err, r)
			}
		}
	})
}
