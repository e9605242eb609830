// Package lite3 encodes, decodes, queries and validates Lite3 documents, the
// payload format of Plasmite pool frames.
//
// A Lite3 document is one byte buffer holding a tree of containers. Every
// object and array is a B-tree of 96-byte nodes (up to 7 entries, 8
// children) addressed by u32 offsets from the buffer start; entries are
// ordered by a 32-bit key hash (DJB2 of the key, quadratically probed on
// collision; the element index for arrays). Each entry points at an
// optional key (length tag, bytes, NUL) followed by a typed value: null,
// bool, i64, f64, bytes, string, or a nested container node. A message
// payload is the document {"meta":{"tags":[…]},"data":{…}}.
//
// The encoder builds documents byte-identical to the reference
// implementation's (same insertion and node-split order); the decoder and
// the lookups treat their input as untrusted: every offset and length is
// bounds-checked, tree height and nesting are bounded, and corrupt input
// yields an *Error with Corrupt set, never a panic or a hang.
//
// The format and the algorithms are specified in
// ../shared/spec/pool-format.md §3 (wire format §3.3, insertion §3.4, JSON
// text §3.5).
package lite3
