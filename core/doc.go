// Package core is the Plasmite engine and its Go API: persistent, bounded JSON
// message pools in one file, shared by any number of writer and reader
// processes without a broker.
//
// A pool is one file (format v3, byte-compatible with the reference
// implementation's pools) holding a ring of messages. Appending takes an
// exclusive flock on the file, so writers in any process, including the
// reference's, are serialized; every message gets the next sequence number
// (1, 2, 3, …, dense across all writers). When the ring is full the oldest
// messages are dropped. Readers take no lock: they read the shared mapping,
// verify what they copied out, and never return a torn or half-written
// message.
//
// The usual flow:
//
//	pool, err := core.Create(path, 8<<20)        // or core.Open(path, core.OpenOptions{})
//	r, err := pool.AppendJSON([]byte(`{"x":1}`), []string{"event"}, core.Fast)
//	tail, err := pool.Tail(core.TailOptions{Start: core.StartLive})
//	msg, err := tail.Next(ctx)                    // waits for the next message
//
// Payloads are Lite3 documents {"meta":{"tags":[…]},"data":{…}} (package
// core/lite3 encodes, renders and queries them without decoding). Durability
// Fast survives a process crash, Flush also a machine crash. Every error is a
// *Error whose Kind (NotFound, Corrupt, RetentionGap, …) is stable and
// testable with errors.Is.
//
// A Pool keeps the write lock across a burst of appends (a lease of at most
// 1 ms, dropped after 50 µs without appends or as soon as another Go writer
// asks for it), which is what makes single appends cheap. Other processes,
// including the reference's writers and its readers (release 1.2.1 takes a
// shared flock for every read), wait at most about a millisecond for it.
// OpenOptions.NoWriterLease locks around each append instead.
//
// Beyond the format, a Go pool uses a few bytes of the header's reserved
// area that the reference neither reads nor writes: the notify wake word
// (see notify_linux.go), a lock-request stamp that makes a writer holding a
// short lease hand the lock over promptly (append.go), and a small journal
// that lets the next writer finish a header update interrupted by a crash
// (header.go).
package core

// Version is this implementation's version, set at link time by the Makefile.
var Version = "dev"
