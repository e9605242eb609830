package bridge

import (
	"fmt"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/wire"
)

// Event is what a bridge reports: Kind is "start", "status", "gap",
// "retry" or "stop". Counters are this process's, since it started.
type Event struct {
	Kind      string
	Direction string // "out" (pool → JetStream) or "in"
	Time      time.Time

	// Forwarded counts messages delivered to the destination: publishes
	// acked by the stream (out), messages appended to the pool (in).
	Forwarded uint64
	// Duplicates counts replays the destination already held: publishes the
	// stream dropped by message id (out), redelivered messages found in the
	// pool (in). Both follow a restart after a crash.
	Duplicates uint64
	// Seq is the last message delivered: its pool seq (out) or its stream
	// seq (in).
	Seq uint64
	// LagSeqs is how many source messages wait to be delivered; LagSeconds
	// how old the oldest of them is (0 when caught up).
	LagSeqs    uint64
	LagSeconds float64
	// Gaps and GapMessages count the retention gaps reported so far (out).
	Gaps, GapMessages uint64

	First, Last uint64 // gap: the overwritten seqs, inclusive

	// start: the first pool seq to forward (out), or the last stream seq
	// found in the pool and the consumer's ack floor (in); the bridge
	// identity (out).
	Resume, AckFloor uint64
	Identity         string

	Err error // retry: what failed; stop: why, if it was not asked for
}

// AppendJSON appends the event as one compact JSON object (keys sorted),
// the form `pls bridge --json` prints one per line.
func (e Event) AppendJSON(dst []byte) []byte {
	m := map[string]any{"event": e.Kind, "direction": e.Direction, "time": e.Time.UTC().Format(time.RFC3339Nano)}
	switch e.Kind {
	case "gap":
		m["first"], m["last"], m["count"] = e.First, e.Last, e.Last-e.First+1
	case "start":
		m["resume"] = e.Resume
		if e.Direction == "in" {
			m["ack_floor"] = e.AckFloor
		} else {
			m["identity"] = e.Identity
		}
	}
	if e.Kind != "gap" {
		m["forwarded"], m["duplicates"], m["seq"] = e.Forwarded, e.Duplicates, e.Seq
		m["lag_seqs"], m["lag_seconds"] = e.LagSeqs, e.LagSeconds
		if e.Direction == "out" {
			m["gaps"], m["gap_messages"] = e.Gaps, e.GapMessages
		}
	}
	if e.Err != nil {
		m["error"] = wire.ErrorOf(e.Err).Display()
	}
	return append(jsonfmt.AppendValue(dst, m, jsonfmt.Compact), '\n')
}

// Text is the event as one line for a terminal.
func (e Event) Text() string {
	switch e.Kind {
	case "gap":
		return fmt.Sprintf("gap: messages %d-%d (%d) were overwritten in the pool before they were forwarded",
			e.First, e.Last, e.Last-e.First+1)
	case "retry":
		return "retrying: " + wire.ErrorOf(e.Err).Display()
	case "start":
		if e.Direction == "out" {
			return fmt.Sprintf("bridge out: forwarding from seq %d (identity %s)", e.Resume, e.Identity)
		}
		return fmt.Sprintf("bridge in: the pool holds the stream up to seq %d (consumer ack floor %d)", e.Resume, e.AckFloor)
	}
	s := fmt.Sprintf("%s %s: forwarded %d, seq %d, lag %d (%.1fs)", e.Kind, e.Direction, e.Forwarded, e.Seq, e.LagSeqs, e.LagSeconds)
	if e.Duplicates > 0 {
		s += ", duplicates " + strconv.FormatUint(e.Duplicates, 10)
	}
	if e.GapMessages > 0 {
		s += fmt.Sprintf(", gaps %d (%d messages)", e.Gaps, e.GapMessages)
	}
	return s
}
