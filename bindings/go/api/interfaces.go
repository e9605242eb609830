package api

import "context"

// Client opens pools. Implementations are safe for concurrent use; Close
// waits for calls in progress, and every later call fails with an error
// wrapping ErrClosed. Pools already opened stay usable.
type Client interface {
	// Close releases the client. Closing twice is a no-op.
	Close()
	// CreatePool creates the pool ref of sizeBytes bytes (0 means
	// DefaultPoolSizeBytes) and opens it. An existing pool is
	// ErrorAlreadyExists.
	CreatePool(ref PoolRef, sizeBytes uint64) (Pool, error)
	// OpenPool opens the existing pool ref; a missing one is ErrorNotFound.
	OpenPool(ref PoolRef) (Pool, error)
	// Pool opens the pool ref, creating it with sizeBytes (0 means
	// DefaultPoolSizeBytes) when it does not exist. The size of an existing
	// pool is left as it is.
	Pool(ref PoolRef, sizeBytes uint64) (Pool, error)
}

// Pool is an open pool. Implementations are safe for concurrent use; Close
// waits for calls in progress, then every call fails with an error wrapping
// ErrClosed. Streams opened from the pool stay usable after Close; tails end
// with an error wrapping ErrClosed.
type Pool interface {
	// Close releases the pool. Closing twice is a no-op.
	Close()
	// AppendJSON appends a message whose data is the JSON object payload,
	// with tags, and returns its JSON envelope. An empty payload wraps
	// ErrInvalidArgument; data that is not a JSON object is ErrorUsage.
	AppendJSON(payload []byte, tags []string, durability Durability) ([]byte, error)
	// Append appends a message whose data is value encoded with
	// encoding/json (it must encode to a JSON object), with tags, and returns
	// the stored message.
	Append(value any, tags []string, opts ...AppendOption) (*Message, error)
	// AppendLite3 appends a pre-encoded Lite3 message document and returns
	// its sequence number. An empty payload wraps ErrInvalidArgument; an
	// invalid document is ErrorCorrupt.
	AppendLite3(payload []byte, durability Durability) (uint64, error)
	// GetJSON returns the JSON envelope of message seq; a message not
	// retained is ErrorNotFound with Seq set.
	GetJSON(seq uint64) ([]byte, error)
	// Get returns message seq, as GetJSON.
	Get(seq uint64) (*Message, error)
	// GetLite3 returns message seq in its binary form, as GetJSON.
	GetLite3(seq uint64) (*Lite3Frame, error)
	// OpenStream opens a reader of JSON envelopes from sinceSeq (inclusive;
	// nil means the oldest retained message) that ends after maxMessages
	// messages (nil: no limit) or once timeoutMs milliseconds have passed
	// since it was opened (nil: no deadline). Gaps are skipped.
	OpenStream(sinceSeq *uint64, maxMessages *uint64, timeoutMs *uint64) (Stream, error)
	// OpenLite3Stream is OpenStream delivering Lite3 frames.
	OpenLite3Stream(sinceSeq *uint64, maxMessages *uint64, timeoutMs *uint64) (Lite3Stream, error)
	// Tail delivers messages on the first channel until ctx ends, the pool
	// is closed, MaxMessages is reached or an error occurs. The second
	// channel then receives the error, if any (ctx.Err() when ctx ended),
	// and both channels are closed.
	Tail(ctx context.Context, opts TailOptions) (<-chan *Message, <-chan error)
	// TailLite3 is Tail delivering Lite3 frames.
	TailLite3(ctx context.Context, opts TailOptions) (<-chan *Lite3Frame, <-chan error)
	// Replay collects messages for opts.Timeout (or until MaxMessages), then
	// delivers them with the recorded gaps between their times divided by
	// opts.Speed. Channels as for Tail.
	Replay(ctx context.Context, opts ReplayOptions) (<-chan *Message, <-chan error)
}

// Stream reads JSON message envelopes in sequence order. NextJSON returns
// io.EOF at the stream's end (its deadline or message limit). Close waits for
// a read in progress (the streams of package local end it at once); every
// later call wraps ErrClosed.
type Stream interface {
	NextJSON() ([]byte, error)
	Close()
}

// Lite3Stream reads Lite3 frames in sequence order, as Stream.
type Lite3Stream interface {
	Next() (*Lite3Frame, error)
	Close()
}

// ContextStream is a Stream whose reads can also end with a context.
// The streams of package local implement it.
type ContextStream interface {
	Stream
	// NextJSONContext is NextJSON that also returns ctx.Err() when ctx
	// ends before a message arrives.
	NextJSONContext(ctx context.Context) ([]byte, error)
}

// ContextLite3Stream is a Lite3Stream whose reads can also end with a
// context. The streams of package local implement it.
type ContextLite3Stream interface {
	Lite3Stream
	// NextContext is Next that also returns ctx.Err() when ctx ends before
	// a frame arrives.
	NextContext(ctx context.Context) (*Lite3Frame, error)
}
