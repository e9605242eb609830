package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// The environment variables that tune pool handles, mapped onto core's
// options here and nowhere else (docs/environment.md lists every variable).

// openOptionsFromEnv returns the pool options the environment asks for:
// PLASMITE_NOTIFY=off sets NoNotify, PLASMITE_NOTIFY_SEMAPHORE=off
// NoSemaphore, PLASMITE_WRITER_LEASE=off NoWriterLease ("off" in any case).
func openOptionsFromEnv() core.OpenOptions {
	off := func(name string) bool { return strings.EqualFold(os.Getenv(name), "off") }
	return core.OpenOptions{
		NoNotify:      off("PLASMITE_NOTIFY"),
		NoSemaphore:   off("PLASMITE_NOTIFY_SEMAPHORE"),
		NoWriterLease: off("PLASMITE_WRITER_LEASE"),
	}
}

// accessHome is the directory of saved connections, as 1.2.1 chooses it:
// $PLASMITE_ACCESS_HOME; else on macOS ~/Library/Application
// Support/Plasmite, on Windows %APPDATA%\\Plasmite, elsewhere
// $XDG_CONFIG_HOME/plasmite or ~/.config/plasmite. "" when none can be
// known (the store then refuses to work).
func accessHome() string {
	if d, ok := os.LookupEnv("PLASMITE_ACCESS_HOME"); ok {
		return d
	}
	home := os.Getenv("HOME")
	switch runtime.GOOS {
	case "darwin":
		if home != "" {
			return filepath.Join(home, "Library", "Application Support", "Plasmite")
		}
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "Plasmite")
		}
	default:
		if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
			return filepath.Join(d, "plasmite")
		}
		if home != "" {
			return filepath.Join(home, ".config", "plasmite")
		}
	}
	return ""
}
