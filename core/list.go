package core

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// PoolEntry is one pool file found by List.
type PoolEntry struct {
	Name    string    // file name without the .plasmite suffix
	Path    string    // dir joined with the file name
	ModTime time.Time // file modification time (zero when unknown)
	// Info is the pool's info when it could be opened; Err says why not.
	Info Info
	Err  error
}

// List returns the pools (files named *.plasmite) in dir ("" means the
// current directory), sorted by name.
// A pool that cannot be opened is listed with Err set. A missing dir is an
// empty list, not an error; other directory errors are returned with kind
// Permission or IO.
func List(dir string) ([]PoolEntry, error) {
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		k := IO
		if errors.Is(err, fs.ErrPermission) {
			k = Permission
		}
		return nil, &Error{Kind: k, Message: "failed to read pool directory", Path: dir, Err: err}
	}
	var out []PoolEntry
	for _, de := range ents {
		name := de.Name()
		if de.IsDir() || !strings.HasSuffix(name, ".plasmite") {
			continue
		}
		e := PoolEntry{Name: strings.TrimSuffix(name, ".plasmite"), Path: filepath.Join(dir, name)}
		if fi, err := de.Info(); err == nil {
			e.ModTime = fi.ModTime()
		}
		e.Info, e.Err = poolInfo(e.Path)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// poolInfo opens path read-only just long enough to read its info.
func poolInfo(path string) (Info, error) {
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return Info{}, err
	}
	defer p.Close()
	return p.Info()
}
