// Package wire holds the documents Plasmite exchanges with the outside world,
// each written once: the message envelope (JSON, and the C ABI's key order),
// pool info and pool list documents, the error envelope in its CLI, HTTP and
// stream-line forms (and its parsing back into a typed error), the mapping
// of error kinds to exit codes and HTTP statuses, the 20-byte Lite3 stream
// frame, and the bounded-stream policy (max, deadline, gap).
//
// The CLI, the C ABI, the HTTP server, MCP and the remote client adapt these;
// none of them renders a wire document of its own. Storage semantics stay in
// core: wire only turns core's values into bytes and back.
//
// JSON keys come out sorted (the reference release builds every document
// through a sorted map), except where a form says otherwise: the C ABI's
// message envelope and the HTTP error envelope keep declaration order.
package wire
