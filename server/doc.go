// Package server serves a pool directory over HTTP: the /v0 protocol of the
// reference release 1.2.1 (pool routes, JSONL, Lite3 and SSE tails, the web
// UI's data routes), its limits (body size, tail timeout, tail and storage
// concurrency, answered with 413 and 423) and the local listener's
// Host/Origin guard.
//
// A Server is an http.Handler factory over one directory; it knows nothing
// of command lines, state directories or signals (package serve does). The
// wire documents come from package wire, storage from package core: the
// server only routes, checks, limits and streams.
//
// Every response the server produces carries `plasmite-version: 0`, and
// every error it produces is the JSON error envelope, including the ones
// 1.2.1 leaves to its framework (413, 415, 422, malformed JSON or query,
// unknown route, wrong method). docs/server.md lists the routes and every
// deliberate difference from 1.2.1.
//
// Streams cost no thread of their own: each waits for the next message in
// core's Tail.Next with the request's context, so a client that goes away,
// the stream's deadline and the server's shutdown all end the wait at once
// and free the stream's permit.
package server
