// Package local is the Plasmite Go binding for pools on this machine: a
// drop-in for the reference binding's package of the same name
// (github.com/sandover/plasmite/bindings/go/local, release 1.2.1), written in
// pure Go over the plasmite-go engine. It needs no C library and no cgo: it
// builds with CGO_ENABLED=0 and cross-compiles. A program written for the
// reference binding builds against it with only its import path changed:
//
//	import plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
//
// A Client resolves pool names in a directory; a Pool appends and reads
// messages; Tail and Replay deliver them on channels; Stream and Lite3Stream
// read them one call at a time. Pools are files shared with every other
// Plasmite process (the CLI, the server, other bindings, the reference
// release): appends from all of them are serialized, readers never block
// writers.
//
// Every handle is safe for concurrent use. Close waits for the calls in
// progress on the handle, and every call after it returns an error wrapping
// ErrClosed. Failures reported by the engine are *Error values whose Kind is
// stable; misused arguments wrap ErrInvalidArgument.
//
// Differences from the reference binding, all deliberate: a Stream's Close
// ends a read in progress at once (the reference waits for it to time out);
// tails react to their context and to Pool.Close at once (TailOptions.Timeout
// is not needed for that); TailLite3 honours TailOptions.Tags; Replay stops
// collecting when its context ends; Stream and Lite3Stream have
// context-taking reads (NextJSONContext, NextContext).
package local
