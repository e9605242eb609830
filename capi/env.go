//go:build cgo

package main

import (
	"os"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// The environment variables that tune pool handles, mapped onto core's
// options here and nowhere else (docs/environment.md lists every variable).

// openOptionsFromEnv returns the pool options the environment asks for, as
// the CLI reads them: PLASMITE_NOTIFY=off sets NoNotify,
// PLASMITE_NOTIFY_SEMAPHORE=off NoSemaphore, PLASMITE_WRITER_LEASE=off
// NoWriterLease ("off" in any case). Read at every open, so a host program
// may change them between opens.
func openOptionsFromEnv() core.OpenOptions {
	off := func(name string) bool { return strings.EqualFold(os.Getenv(name), "off") }
	return core.OpenOptions{
		NoNotify:      off("PLASMITE_NOTIFY"),
		NoSemaphore:   off("PLASMITE_NOTIFY_SEMAPHORE"),
		NoWriterLease: off("PLASMITE_WRITER_LEASE"),
	}
}
