package main

import (
	"github.com/plasmite-go/plasmite/core"
)

// encodeMessage appends to dst the Lite3 message document for the JSON
// object data with tags. Errors are Usage ("invalid json", "data must be
// object", ...).
func encodeMessage(dst, data []byte, tags []string) ([]byte, error) {
	return dst, &core.Error{Kind: core.Internal, Message: "lite3 encoder not linked yet"}
}

// appendEnvelope appends the ABI's envelope JSON of a stored message,
// {"seq":…,"time":…,"meta":{"tags":[…]},"data":…}, to dst. A payload that is
// not a message document is Corrupt.
func appendEnvelope(dst, payload []byte, seq uint64, unixNanos int64) ([]byte, error) {
	return dst, &core.Error{Kind: core.Internal, Message: "lite3 decoder not linked yet"}
}
