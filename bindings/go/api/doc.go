// Package api holds the backend-independent part of the Plasmite Go binding:
// the error kinds and error type, durability and append options, pool
// references, the Message and Lite3Frame values, tail and replay options, and
// the Client, Pool, Stream and Lite3Stream interfaces that every backend
// implements.
//
// It is a drop-in for the reference binding's package of the same name
// (github.com/sandover/plasmite/bindings/go/api, release 1.2.1): the same
// exported names, types and values. It is pure Go and builds with
// CGO_ENABLED=0. Package local (github.com/plasmite-go/plasmite/bindings/go/local)
// implements the interfaces over pool files.
package api
