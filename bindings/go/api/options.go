package api

import "time"

// Durability says how far an append is pushed before it returns.
type Durability uint32

const (
	// DurabilityFast returns once the message is visible to readers. It
	// survives a crash of the process, not of the machine.
	DurabilityFast Durability = 0
	// DurabilityFlush also flushes the written bytes to storage before
	// returning, so the message survives a machine crash.
	DurabilityFlush Durability = 1
)

// AppendConfig is the configuration of one Pool.Append, built from its
// AppendOptions by ApplyAppendOptions.
type AppendConfig struct {
	Durability Durability
}

// AppendOption changes one setting of an AppendConfig.
type AppendOption func(*AppendConfig)

// WithDurability sets the append's durability (the default is DurabilityFast).
func WithDurability(d Durability) AppendOption {
	return func(cfg *AppendConfig) { cfg.Durability = d }
}

// ApplyAppendOptions returns the configuration opts describe, starting from
// the defaults (DurabilityFast) and applying them in order. Nil options are
// ignored.
func ApplyAppendOptions(opts ...AppendOption) AppendConfig {
	cfg := AppendConfig{Durability: DurabilityFast}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg
}

// DefaultPoolSizeBytes is the size of a pool created with size 0 (1 MiB).
const DefaultPoolSizeBytes uint64 = 1024 * 1024

// DefaultPoolSize is DefaultPoolSizeBytes under its other name.
const DefaultPoolSize = DefaultPoolSizeBytes

// TailOptions configures Pool.Tail and Pool.TailLite3. The zero value
// delivers every retained message from the oldest one on, then follows new
// appends until the context ends.
type TailOptions struct {
	// SinceSeq, when set, is the first sequence number to deliver (inclusive).
	// Unset means the oldest retained message.
	SinceSeq *uint64
	// MaxMessages, when set, ends the tail (without an error) once that many
	// messages have been delivered.
	MaxMessages *uint64
	// Tags, when not empty, delivers only the messages carrying every one of
	// these tags (exact match). A tag filter never hides a retention gap.
	Tags []string
	// Timeout is how long the reference binding waits inside one read before
	// it checks the context again (default 1 s). This binding reacts to the
	// context at once; Timeout never ends a tail.
	Timeout time.Duration
	// Buffer is the capacity of the message channel (default 64). When it is
	// full the tail waits for the caller to drain it.
	Buffer int
	// ErrorOnGap ends the tail with an ErrorRetentionGap error, carrying the
	// first missing sequence number, when messages it should have delivered
	// were overwritten. Unset, the tail continues at the oldest retained one.
	ErrorOnGap bool
}

// ReplayOptions configures Pool.Replay.
type ReplayOptions struct {
	// Speed divides the recorded gaps between messages: 2 replays twice as
	// fast. Zero or less means 1.
	Speed float64
	// SinceSeq, when set, is the first sequence number to replay (inclusive).
	SinceSeq *uint64
	// MaxMessages, when set, stops collecting after that many messages.
	MaxMessages *uint64
	// Timeout is how long messages are collected before the replay starts
	// (default 1 s); messages appended meanwhile are included.
	Timeout time.Duration
}
