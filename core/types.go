package core

// DefaultPoolSize is the size of a pool created without an explicit size (1 MiB).
const DefaultPoolSize = 1 << 20

// Durability says how far an append is pushed before it returns.
type Durability uint8

const (
	// Fast returns once the message is visible to readers (in the page cache).
	// It survives a crash of the process, not of the machine.
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
	// GapError makes Next return a RetentionGap error; the tail is then finished.
	GapError GapPolicy = 1
)

// OpenOptions tunes Open (and, through CreateOptions.Open, CreateWith). The
// zero value opens read-write with every wake-up on and the writer lease on.
// The CLI and the C library set NoNotify, NoSemaphore and NoWriterLease
// from PLASMITE_NOTIFY, PLASMITE_NOTIFY_SEMAPHORE and PLASMITE_WRITER_LEASE
// (docs/environment.md); core itself reads no environment.
type OpenOptions struct {
	// ReadOnly maps the file read-only; appends fail with Permission.
	// A pool whose file is not writable can still be opened this way.
	ReadOnly bool
	// NoNotify disables wake-ups: this handle's appends wake nobody, and its
	// tails notice appends by polling the pool (every 1 to 50 ms, see
	// Tail.Next). Nothing else changes: readers never depend on wake-ups.
	NoNotify bool
	// NoSemaphore keeps this handle's appends from posting the reference
	// implementation's named semaphore (a /dev/shm file per pool on Linux),
	// which is what wakes followers running the reference; our own wake-ups
	// stay on. Neither implementation removes that file when a pool file is
	// deleted by other means than Delete, so test suites that make many
	// temporary pools set it to keep /dev/shm clean.
	NoSemaphore bool
	// NoWriterLease makes this handle take and release the pool's file lock
	// around every append or batch, as the reference does, instead of keeping
	// it across a burst of appends (a lease of at most 1 ms; see package doc).
	NoWriterLease bool
}

// Receipt identifies an appended message.
type Receipt struct {
	Seq uint64 // the message's sequence number (1, 2, …; dense per pool)
	// Time is the append's wall-clock time, Unix nanoseconds. It follows a
	// step of the system clock within a millisecond (see clock.go).
	Time int64
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
