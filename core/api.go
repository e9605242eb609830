package core

// This file pins the public Go API of core so that the CLI, the C ABI and the
// engine can be built in parallel. Bodies marked "not implemented" are filled
// in by the engine work (issue 3); signatures change only by agreement.

import (
	"context"
	"time"
)

// DefaultPoolSize is the size of a pool created without an explicit size (1 MiB).
const DefaultPoolSize = 1 << 20

// Durability says how far an append is pushed before it returns.
type Durability uint8

const (
	// Fast returns once the message is visible to readers (in the page cache).
	Fast Durability = 0
	// Flush also msyncs the written ranges before returning, so the message
	// survives a machine crash once the call returns.
	Flush Durability = 1
)

// GapPolicy says what a Tail does when messages it should have delivered were
// overwritten before it could read them.
type GapPolicy uint8

const (
	// GapContinue silently resumes at the oldest retained message.
	GapContinue GapPolicy = 0
	// GapError makes Next return a RetentionGap error once; the tail is then finished.
	GapError GapPolicy = 1
)

// OpenOptions tunes Open. The zero value opens read-write with notify enabled.
type OpenOptions struct {
	// ReadOnly maps the file read-only; appends fail with Permission.
	// A pool whose file is not writable can still be opened this way.
	ReadOnly bool
	// NoNotify disables wake-ups: appends wake nobody and tails poll.
	// (PLASMITE_NOTIFY=off in the environment has the same effect globally.)
	NoNotify bool
}

// Receipt identifies an appended message.
type Receipt struct {
	Seq  uint64 // the message's sequence number (1, 2, …; dense per pool)
	Time int64  // append wall-clock time, Unix nanoseconds
}

// Message is one stored message. Payload is the raw Lite3 document
// {"meta":{"tags":[…]},"data":{…}}. A Message returned by Tail.Next or
// Pool.GetInto aliases a buffer owned by the caller or the Tail: it is valid
// until the next call on that Tail / reuse of that buffer. Copy to keep.
type Message struct {
	Seq     uint64
	Time    int64  // Unix nanoseconds
	Flags   uint32 // frame-header flags as stored
	Payload []byte // Lite3 message document
}

// Bounds are the sequence numbers currently retained. Both are 0 for an empty pool.
type Bounds struct {
	Oldest uint64
	Newest uint64
}

// Pool is an open pool file. A Pool is safe for concurrent use by multiple
// goroutines; appends from any number of Pools and processes are serialized by
// an exclusive lock on the file.
type Pool struct {
	path string
}

// Create creates a pool file of size bytes (DefaultPoolSize when size is 0)
// at path, creating parent directories, and opens it. It never touches an
// existing file: that is AlreadyExists.
func Create(path string, size int64) (*Pool, error) { panic("not implemented") }

// Open opens an existing pool file after checking its header.
// Missing file → NotFound; bad header → Corrupt; other format version → Usage.
func Open(path string, opts OpenOptions) (*Pool, error) { panic("not implemented") }

// Close releases the mapping and any lock held. Tails opened from the pool
// stay usable until closed themselves.
func (p *Pool) Close() error { panic("not implemented") }

// Path returns the pool file path as given to Create or Open.
func (p *Pool) Path() string { return p.path }

// Bounds returns the retained sequence range right now.
func (p *Pool) Bounds() Bounds { panic("not implemented") }

// AppendJSON appends one message whose data is the JSON object in data, with
// the given tags. data must be a JSON object (Usage otherwise).
func (p *Pool) AppendJSON(data []byte, tags []string, d Durability) (Receipt, error) {
	panic("not implemented")
}

// AppendLite3 appends a pre-encoded Lite3 message document after validating
// it (Corrupt when it is not a valid message document).
func (p *Pool) AppendLite3(payload []byte, d Durability) (Receipt, error) {
	panic("not implemented")
}

// Batch collects messages to append under one lock acquisition with
// contiguous sequence numbers. The zero value is an empty batch; reuse it with
// Reset to avoid allocation.
type Batch struct {
	buf  []byte // concatenated Lite3 payloads
	ends []int  // end offset of each payload in buf
}

// AddJSON encodes one message into the batch. On error the batch is unchanged.
func (b *Batch) AddJSON(data []byte, tags []string) error { panic("not implemented") }

// AddLite3 adds a pre-encoded message document after validating it.
func (b *Batch) AddLite3(payload []byte) error { panic("not implemented") }

// Len returns the number of messages in the batch.
func (b *Batch) Len() int { return len(b.ends) }

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.buf = b.buf[:0]; b.ends = b.ends[:0] }

// AppendBatch appends every message of b in order, under one lock, and
// returns the receipt of each (receipts[i] for message i; seqs contiguous).
// receipts is appended to dst. If it fails part-way, the receipts of the
// messages already appended are returned with the error.
func (p *Pool) AppendBatch(b *Batch, d Durability, dst []Receipt) ([]Receipt, error) {
	panic("not implemented")
}

// Get returns a copy of the message with sequence number seq.
// A seq outside the retained range → NotFound with Seq set.
func (p *Pool) Get(seq uint64) (Message, error) { panic("not implemented") }

// GetInto is Get that copies the payload into buf[:0] (growing it if needed),
// so a caller reusing buf allocates nothing.
func (p *Pool) GetInto(seq uint64, buf []byte) (Message, error) { panic("not implemented") }

// StartAt selects where a Tail begins.
type StartAt uint8

const (
	// StartOldest begins at the oldest retained message.
	StartOldest StartAt = iota
	// StartLive begins after the newest message at open time.
	StartLive
	// StartSeq begins at TailOptions.Seq (inclusive). If that message is no
	// longer retained, the gap policy applies.
	StartSeq
	// StartLast begins TailOptions.Last messages before the end (fewer if the
	// pool holds fewer). Last == 0 is the same as StartLive.
	StartLast
)

// TailOptions configures Pool.Tail. The zero value tails from the oldest
// message, with no filter, continuing over gaps.
type TailOptions struct {
	Start StartAt
	Seq   uint64 // for StartSeq
	Last  uint64 // for StartLast
	// Tags, when non-empty, delivers only messages carrying all of these tags.
	// Filtering happens after the gap check, so a filter never hides a gap.
	Tags []string
	Gap  GapPolicy
	// NoNotify makes the tail poll instead of waiting for wake-ups.
	NoNotify bool
}

// Tail reads messages in sequence order, following new appends. A Tail is not
// safe for concurrent use; open one per goroutine.
type Tail struct{}

// Tail opens a reader on the pool.
func (p *Pool) Tail(opts TailOptions) (*Tail, error) { panic("not implemented") }

// Next returns the next message, waiting for one to be appended if needed.
// It returns ctx.Err() when ctx is done first (use context.WithTimeout for a
// deadline), and a RetentionGap error under GapError; after that error the
// tail is finished: Next returns io.EOF and TryNext returns ok == false. The
// returned Message's Payload is valid until the next call to Next.
func (t *Tail) Next(ctx context.Context) (Message, error) { panic("not implemented") }

// TryNext returns the next message if one is available now, without waiting;
// ok is false when the tail is caught up.
func (t *Tail) TryNext() (m Message, ok bool, err error) { panic("not implemented") }

// Close releases the tail.
func (t *Tail) Close() error { panic("not implemented") }

// Info describes a pool's geometry and contents (see docs/format.md and the
// JSON shape of `pool info`).
type Info struct {
	Path           string
	FileSize       uint64
	IndexOffset    uint64
	IndexCapacity  uint64
	IndexSizeBytes uint64
	RingOffset     uint64
	RingSize       uint64
	Bounds         Bounds
	MessageCount   uint64
	UsedBytes      uint64
	FreeBytes      uint64
	UsedPercent    float64   // floor(used*10000/ring)/100
	OldestTime     time.Time // zero when unknown
	NewestTime     time.Time // zero when unknown
}

// Info returns the pool's geometry, bounds and usage.
func (p *Pool) Info() (Info, error) { panic("not implemented") }

// ResolveRef turns a pool reference into a file path: a reference containing a
// path separator is a path; otherwise NAME means dir/NAME.plasmite (a name
// already ending in .plasmite is not suffixed again). dir "" means DefaultDir().
func ResolveRef(dir, ref string) string { panic("not implemented") }

// DefaultDir returns $HOME/.plasmite/pools (".plasmite/pools" when HOME is empty).
func DefaultDir() string { panic("not implemented") }

// Delete removes a pool file. Missing → NotFound.
func Delete(path string) error { panic("not implemented") }

// Report is the result of validating a pool (doctor).
type Report struct {
	Path        string
	Status      string // "ok" or "corrupt"
	LastGoodSeq uint64 // valid when HasLastGood
	HasLastGood bool
	Issues      []Issue
	Hints       []string // remediation hints and "warning: …" lines
}

// Issue is one problem a validation found.
type Issue struct {
	Code      string // "corrupt" or "format"
	Message   string
	Seq       uint64
	HasSeq    bool
	Offset    uint64
	HasOffset bool
}

// Validate opens the file at path and checks it the way `doctor` does. Open
// errors that mean corruption become a corrupt Report; NotFound, Permission
// and Io are returned as errors.
func Validate(path string) (Report, error) { panic("not implemented") }
