// Package bridge connects a pool to a NATS JetStream stream, in either
// direction, through the standard client (github.com/nats-io/nats.go):
// Out forwards a pool's messages to a stream, In appends a stream's
// messages to a pool. Both keep every message exactly once across crashes
// and restarts of the bridge, where JetStream allows it (see Out and In),
// report what they cannot deliver instead of skipping it, and slow down
// instead of dropping when the other side is slow.
//
// A bridged message keeps its data (the body, as JSON) and its tags (one
// Plasmite-Tag header per tag, and optionally subject tokens); the source
// pool's seq and time travel in the Plasmite-Seq and Plasmite-Time headers.
// Like core, the package reads no environment: Options say everything.
package bridge
