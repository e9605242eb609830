package main

// Temporary adapters for packages that have not landed on main yet
// (core/lite3, core/jsonfmt, the engine's ResolveRef). Each is replaced by a
// direct call once its branch is merged; nothing here knows the file format.

import (
	"errors"
	"github.com/plasmite-go/plasmite/core"
	"os"
	"path/filepath"
	"strings"
)

var errCodecMissing = errors.New("lite3 codec not linked in this build")

// appendMessageJSON renders the envelope {"data","meta","seq","time"}.
func appendMessageJSON(dst, doc []byte, seq uint64, unixNanos int64, style jsonStyle) ([]byte, error) {
	return dst, errCodecMissing
}

// appendDataJSON renders only the message's data object.
func appendDataJSON(dst, doc []byte, style jsonStyle) ([]byte, error) {
	return dst, errCodecMissing
}

// docToAny decodes a message document for jq.
func docToAny(doc []byte) (map[string]any, error) {
	return nil, errCodecMissing
}

// docTags returns the message's meta.tags.
func docTags(doc []byte) ([]string, error) {
	return nil, errCodecMissing
}

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

// createPool creates a pool. core does not yet expose a chosen index
// capacity; until it does, an explicit --index-capacity is refused.
func createPool(path string, o createOptions) (*core.Pool, error) {
	if o.indexCapacity >= 0 {
		return nil, usageErr("--index-capacity is not supported by this build yet", "Omit --index-capacity to use the automatic index size.")
	}
	return core.Create(path, o.size)
}

// hasAllTags reports whether the message carries every tag.
func hasAllTags(doc []byte, tags []string) (bool, error) {
	have, err := docTags(doc)
	if err != nil {
		return false, err
	}
	for _, t := range tags {
		found := false
		for _, h := range have {
			if h == t {
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// dataFrom returns data.from when it is a string.
func dataFrom(doc []byte) (string, bool) {
	m, err := docToAny(doc)
	if err != nil {
		return "", false
	}
	d, _ := m["data"].(map[string]any)
	s, ok := d["from"].(string)
	return s, ok
}
