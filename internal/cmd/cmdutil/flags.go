package cmdutil

import (
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
)

// The options several commands share, declared once.

// JSONFlag is --json, the v0 spelling of JSON output for a command with a
// human form.
func JSONFlag(p *bool) clap.Flag {
	return clap.Flag{Long: "json", Help: "Print machine-readable JSON instead of text", Into: clap.Bool(p)}
}

// TagFlag is the repeatable --tag.
func TagFlag(p *[]string, help string) clap.Flag {
	return clap.Flag{Long: "tag", Value: "TAG", Multi: true, Help: help, Into: clap.Strings(p)}
}

// CreateFlag is --create: create a missing local pool.
func CreateFlag(p *bool) clap.Flag {
	return clap.Flag{Long: "create", Help: "Create the pool first if it does not exist (default size 1M)", Into: clap.Bool(p)}
}

// CreateSizeFlag is --create-size.
func CreateSizeFlag(p **string) clap.Flag {
	return clap.Flag{Long: "create-size", Value: "CREATE_SIZE", Help: "Size of a pool created because it is missing (bytes or K/M/G, default 1M); implies --create", Into: clap.OptString(p)}
}

// DurabilityFlag is --durability.
func DurabilityFlag(p *string) clap.Flag {
	return clap.Flag{Long: "durability", Value: "DURABILITY", Help: "fast (default) or flush (sync to disk before acknowledging)", Into: clap.String(p)}
}

// CreateSize is the size of a pool --create makes: --create-size, or 1M.
func CreateSize(text *string) (int64, error) {
	if text == nil {
		return core.DefaultPoolSize, nil
	}
	return ParsePoolSize(*text)
}

// ParsePoolSize is ParseSize for the size of a pool file: 0, which core
// reads as "the default", is too small, as 1.2.1 says.
func ParsePoolSize(s string) (int64, error) {
	n, err := ParseSize(s)
	if err == nil && n == 0 {
		return 0, UsageError("file_size must exceed header and index size", "Choose a file size greater than 4096 bytes.")
	}
	return n, err
}
