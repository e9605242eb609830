package main

// Thin helpers over core/lite3 and the pool-ref rule. Nothing here knows
// the file format.

import (
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// appendMessageJSON renders the envelope {"data","meta","seq","time"}.
func appendMessageJSON(dst, doc []byte, seq uint64, unixNanos int64, style jsonStyle) ([]byte, error) {
	return lite3.AppendMessageJSON(dst, doc, seq, unixNanos, style)
}

// appendDataJSON renders only the message's data object.
func appendDataJSON(dst, doc []byte, style jsonStyle) ([]byte, error) {
	return lite3.AppendDataJSON(dst, doc, style)
}

// docToAny decodes a message document for jq.
func docToAny(doc []byte) (map[string]any, error) { return lite3.ToAny(doc) }

// resolveRef is core.ResolveRef's rule (a ref with "/" is a path, else
// DIR/NAME.plasmite) but keeps DIR exactly as typed, without cleaning, so
// paths print as 1.2.1 prints them ("--dir ./p" → "./p/x.plasmite").
func resolveRef(dir, ref string) string {
	if strings.ContainsRune(ref, '/') {
		return ref
	}
	if dir == "" {
		dir = defaultDir()
	}
	if !strings.HasSuffix(ref, ".plasmite") {
		ref += ".plasmite"
	}
	if strings.HasSuffix(dir, "/") {
		return dir + ref
	}
	return dir + "/" + ref
}

// defaultDir is core.DefaultDir.
func defaultDir() string {
	h := os.Getenv("HOME")
	if h == "" {
		return filepath.Join(".plasmite", "pools")
	}
	return filepath.Join(h, ".plasmite", "pools")
}

// createOptions carries pool create parameters; indexCapacity < 0 = automatic.
type createOptions struct {
	size          int64
	indexCapacity int64
}

// createPool creates a pool. core does not let the caller choose the index
// capacity yet, so an explicit --index-capacity is honoured only when it is
// the automatic one; otherwise the new (empty) file is removed again and the
// request refused.
func createPool(path string, o createOptions) (*core.Pool, error) {
	p, err := core.Create(path, o.size)
	if err != nil || o.indexCapacity < 0 {
		return p, err
	}
	in, err := p.Info()
	if err == nil && int64(in.IndexCapacity) == o.indexCapacity {
		return p, nil
	}
	p.Close()
	os.Remove(path)
	return nil, usageErr("--index-capacity other than the automatic size is not supported by this build yet",
		"Omit --index-capacity (this size gets "+strconv.FormatUint(in.IndexCapacity, 10)+" slots).")
}

// hasAllTags reports whether the message carries every tag (no decoding).
func hasAllTags(doc []byte, tags []string) (bool, error) { return lite3.HasAllTags(doc, tags) }

// dataFrom returns data.from when it is a string, read in place.
func dataFrom(doc []byte) (string, bool) {
	root, err := lite3.Root(doc)
	if err != nil {
		return "", false
	}
	v, ok := root.GetPath("data", "from")
	if !ok {
		return "", false
	}
	return v.Str()
}
