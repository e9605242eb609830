// Package mcp serves Plasmite pools to MCP clients (coding agents): the
// eight tools of release 1.2.1 (plasmite_pool_list, plasmite_pool_create,
// plasmite_pool_info, plasmite_pool_delete, plasmite_feed, plasmite_fetch,
// plasmite_read, plasmite_wait), one resource per pool, and 1.2.1's
// instructions, over its JSON-RPC 2.0 dialect, byte for byte where a client
// can see it (keys sorted, 1.2.1's messages and hints).
//
// Two transports frame the same Server: ServeStdio (the `mcp` command:
// newline-delimited messages on stdin and stdout, local pools) and HTTP
// (POST /mcp on `pls serve`'s listeners, with 1.2.1's header, Origin,
// permit and status rules, using the server's open pools and tail
// permits).
//
// Tool failures are successful JSON-RPC results with isError and a
// structured error_kind (and a hint where one helps); only protocol
// problems (unknown methods or tools, malformed params) and storage
// failures of resource methods are JSON-RPC errors. plasmite_wait sleeps
// in core's per-pool waiter (Tail.Next): it does not poll, and an idle
// wait costs no thread of its own.
//
// This is a JSON-RPC layer of our own rather than the official Go SDK
// (github.com/modelcontextprotocol/go-sdk), because the SDK cannot speak
// 1.2.1's wire dialect: it negotiates protocol versions, accepts a missing
// MCP-Protocol-Version and refuses a bad one in plain text, checks Accept,
// maps error codes to statuses only for newer protocol versions, refuses
// requests before initialize, encodes structs in declaration order, and
// treats a client's JSON-RPC responses as replies (see docs/server.md §MCP).
package mcp
