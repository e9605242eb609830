// Package remote is the client of Plasmite's HTTP API (protocol v0, as
// `plasmite serve` of release 1.2.1 speaks it): open, info, list, create and
// delete pools, append, get, and tail them, from the CLI, the C ABI and Go
// programs alike.
//
// Messages come back as core.Message values whose payload is the Lite3
// message document, exactly as a local pool returns them, so the filters,
// renderings and buffers that work on local messages work on remote ones.
// Errors are *core.Error values with the kinds of the server's error
// envelopes (or, for a body that is no envelope, the kind its HTTP status
// maps to; see wire.ParseError), so errors.Is(err, core.NotFound) works the
// same on both.
//
// What the client guarantees:
//   - plain http:// only to the local machine (localhost, 127.0.0.0/8,
//     ::1); https:// needs Credentials, which verify the server and
//     authorize requests;
//   - no redirect is followed (a 3xx is an Io error), no proxy is used, no
//     environment variable is read;
//   - one-shot requests end within Options.RequestTimeout; streams have no
//     deadline of their own and end with their context;
//   - response bodies, JSONL lines and Lite3 frames are capped at
//     Options.MaxResponseBytes (256 MiB by default);
//   - connections are kept alive and reused between requests; requests
//     are written and read on the calling goroutine (see transport), so a
//     tail or follower costs the goroutine that reads it and nothing more:
//     an idle one waits in the network poller, holding no OS thread.
package remote
