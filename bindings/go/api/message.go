package api

import (
	"encoding/json"
	"fmt"
	"time"
)

// PoolRef names a pool: a name resolved in the client's pool directory
// ("events" is <dir>/events.plasmite), a file path (any reference containing
// a path separator), or a URI.
type PoolRef string

// PoolRefName returns the reference of the pool called name in the client's
// pool directory.
func PoolRefName(name string) PoolRef { return PoolRef(name) }

// PoolRefPath returns the reference of the pool file at path.
func PoolRefPath(path string) PoolRef { return PoolRef(path) }

// PoolRefURI returns the reference of the pool at uri, such as
// "http://127.0.0.1:9700/events" for a pool served by `plasmite serve`.
func PoolRefURI(uri string) PoolRef { return PoolRef(uri) }

// MessageMeta is a message's metadata.
type MessageMeta struct {
	Tags []string `json:"tags"`
}

// Message is one stored message, decoded from its JSON envelope
// {"seq":…,"time":…,"meta":{"tags":[…]},"data":…}. A Message belongs to its
// receiver: nothing else refers to its slices (though Data may share Raw's
// memory: copy one before changing it in place).
type Message struct {
	Seq         uint64          `json:"seq"`  // sequence number (1, 2, …; dense per pool)
	Time        time.Time       `json:"-"`    // append time, in UTC
	TimeRFC3339 string          `json:"time"` // append time as the envelope spells it
	Data        json.RawMessage `json:"data"` // the message's JSON data
	Meta        MessageMeta     `json:"meta"`
	Raw         []byte          `json:"-"` // the whole envelope
}

// Tags returns the message's tags (Meta.Tags); nil for a nil *Message.
func (m *Message) Tags() []string {
	if m == nil {
		return nil
	}
	return m.Meta.Tags
}

// DecodeMessage decodes a JSON message envelope. The time must be RFC 3339;
// Time is set in UTC and TimeRFC3339 keeps the text as given. Raw is a copy of
// raw. A malformed envelope or time is an error (not an *Error).
func DecodeMessage(raw []byte) (*Message, error) {
	var env struct {
		Seq  uint64          `json:"seq"`
		Time string          `json:"time"`
		Meta MessageMeta     `json:"meta"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("plasmite: decode message: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, env.Time)
	if err != nil {
		return nil, fmt.Errorf("plasmite: parse message time: %w", err)
	}
	return &Message{
		Seq:         env.Seq,
		Time:        at.UTC(),
		TimeRFC3339: env.Time,
		Data:        env.Data,
		Meta:        env.Meta,
		Raw:         append([]byte(nil), raw...),
	}, nil
}

// Lite3Frame is one stored message in its binary form: the Lite3 document
// {"meta":{"tags":[…]},"data":{…}} and the frame header's fields.
type Lite3Frame struct {
	Seq         uint64 // sequence number
	TimestampNs uint64 // append time, Unix nanoseconds
	Flags       uint32 // the frame header's flags as stored
	Payload     []byte // the Lite3 document
}

// Time returns the append time in UTC; the zero Time for a nil *Lite3Frame.
func (f *Lite3Frame) Time() time.Time {
	if f == nil {
		return time.Time{}
	}
	return time.Unix(0, int64(f.TimestampNs)).UTC()
}
