package api

// The UDP types below are the ones the reference binding's udp package
// exchanges. They are data only: this module has no udp package yet.

// UDPStartKind says where a UDP follow starts.
type UDPStartKind uint32

// The start positions of a UDP follow.
const (
	UDPStartNew      UDPStartKind = iota // only messages appended from now on
	UDPStartLast                         // the last Value messages, then new ones
	UDPStartSince                        // messages appended at or after Value (Unix ns)
	UDPStartSequence                     // from sequence number Value on
)

// UDPStart is a UDP follow's start position: a kind and its value.
type UDPStart struct {
	Kind  UDPStartKind
	Value uint64
}

// UDPStartNewPosition starts with the next message appended.
func UDPStartNewPosition() UDPStart { return UDPStart{Kind: UDPStartNew} }

// UDPStartLastCount starts count messages before the newest one.
func UDPStartLastCount(count uint64) UDPStart { return UDPStart{Kind: UDPStartLast, Value: count} }

// UDPStartSinceNs starts at the first message appended at or after timestamp
// (Unix nanoseconds).
func UDPStartSinceNs(timestamp uint64) UDPStart {
	return UDPStart{Kind: UDPStartSince, Value: timestamp}
}

// UDPStartAtSequence starts at sequence number seq.
func UDPStartAtSequence(seq uint64) UDPStart { return UDPStart{Kind: UDPStartSequence, Value: seq} }

// UDPFollowOptions configures a UDP follow: where it starts, and whether it
// keeps following new messages (Live) or ends once caught up.
type UDPFollowOptions struct {
	Start UDPStart
	Live  bool
}

// NewUDPFollowOptions returns the default follow: new messages, live.
func NewUDPFollowOptions() UDPFollowOptions {
	return UDPFollowOptions{Start: UDPStartNewPosition(), Live: true}
}

// UDPEvent is one event of a UDP follow: a *UDPFrame, *UDPGap or *UDPProgress.
type UDPEvent interface {
	udpEvent()
}

// UDPFrame is a message received by a UDP follow: its Lite3 payload and the
// decoded Message.
type UDPFrame struct {
	Seq         uint64
	TimestampNs uint64
	Payload     []byte
	Message     *Message
}

func (*UDPFrame) udpEvent() {}

// UDPGap reports the messages First..Last a UDP follow did not receive, and
// why ("unknown", "oversized", "retention" or "pressure").
type UDPGap struct {
	First  uint64
	Last   uint64
	Reason string
}

func (*UDPGap) udpEvent() {}

// UDPProgress reports how far a UDP follow has come: the range it started
// with, the next sequence number it expects, whether it has ended
// (Terminal) and whether retention cut it short.
type UDPProgress struct {
	StartSeq     uint64
	NextSeq      uint64
	EndSeq       *uint64
	Terminal     bool
	RetentionGap bool
}

func (*UDPProgress) udpEvent() {}
