package core

import (
	"sync/atomic"
	"time"
)

// The append timestamp clock: Unix wall-clock nanoseconds, as the reference
// writes them. time.Now reads two clocks (wall and monotonic), which costs
// about 80 ns in a VM; so wallNanos reads only the monotonic clock and adds
// the wall−monotonic offset, which it measures again every clockResync.
// The two clocks run at the same rate (NTP slews both), so the offset only
// moves when the wall clock is stepped (or the machine resumes from
// suspend); such a jump shows in the timestamps at most clockResync (of
// monotonic time) late, as if the append had read the clock a little early.
//
// The offset is measured as wall − the monotonic reading taken just before
// the wall reading, so it errs upwards by the gap between the two (bounded
// by clockMaxGap): a timestamp is never earlier than a time.Now taken
// before the call.
const (
	clockResync = int64(time.Millisecond)
	clockMaxGap = int64(2 * time.Microsecond)
)

var (
	clockBase = time.Now() // monotonic reference point
	clockOff  atomic.Int64 // wall − monotonic (since clockBase), ns
	clockNext atomic.Int64 // monotonic ns at which to measure the offset again
)

// wallNanos returns the current wall-clock time in Unix nanoseconds.
func wallNanos() int64 {
	m := int64(time.Since(clockBase))
	if m < clockNext.Load() {
		return m + clockOff.Load()
	}
	return clockSync(m)
}

// clockSync measures the offset again; m is a monotonic reading just taken.
func clockSync(m int64) int64 {
	for try := 0; ; try++ {
		t := time.Now()
		w := t.UnixNano()
		if m2 := int64(t.Sub(clockBase)); m2-m <= clockMaxGap {
			clockOff.Store(w - m)
			clockNext.Store(m + clockResync)
			return w
		}
		if try == 2 {
			return w // keep the old offset; the next call measures again
		}
		m = int64(time.Since(clockBase))
	}
}
