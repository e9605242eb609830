package follow

import (
	"strconv"
	"time"
)

// dropLog accounts for the messages a follower was due to read but found
// overwritten, as 1.2.1 reports them: a gap is every seq from the one
// expected next up to (not including) the one read; gaps are merged into
// at most one notice a second, whose dropped_count is exactly the sum of
// the gaps (not the span between the first and the last, which also holds
// the messages printed in between) and whose last_seen_seq is the seq
// before the first of them (0 for a follower that started behind the ring
// on an empty pool).
type dropLog struct {
	expected uint64 // next seq due; 0 until known
	pending  bool
	lastSeen uint64 // before the first gap of the pending notice
	nextSeen uint64 // after its last gap
	count    uint64 // messages missed in its gaps
	any      bool   // some gap was found (also when notices are off)
	last     time.Time
}

// start sets the first seq due: where the tail begins.
func (d *dropLog) start(seq uint64) { d.expected = seq }

// saw records that message seq was read; it reports whether a gap came
// before it.
func (d *dropLog) saw(seq uint64) bool {
	if d.expected == 0 {
		d.expected = seq // where the tail began is not known: no gap before the first
	}
	gap := seq > d.expected
	if gap {
		d.gap(d.expected, seq)
	}
	if seq >= d.expected {
		d.expected = seq + 1
	}
	return gap
}

// gap records that the seqs expected..next-1 are gone.
func (d *dropLog) gap(expected, next uint64) {
	if next <= expected {
		return
	}
	d.any = true
	if !d.pending {
		d.pending, d.lastSeen, d.count = true, expected-1, 0
	}
	d.nextSeen = next
	d.count += next - expected
}

// due says whether the pending notice may be reported now: once a second
// at most, unless forced.
func (d *dropLog) due(force bool) bool {
	return d.pending && (force || time.Since(d.last) >= time.Second)
}

// notice returns the pending notice's message and details, and clears it.
func (d *dropLog) notice(path string) (string, map[string]any) {
	d.pending, d.last = false, time.Now()
	return "dropped " + strconv.FormatUint(d.count, 10) + " messages", map[string]any{
		"dropped_count": d.count, "last_seen_seq": d.lastSeen, "next_seen_seq": d.nextSeen, "pool_path": path,
	}
}
