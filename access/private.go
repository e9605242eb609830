package access

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// Private files: what the server and the connection store keep is for its
// owner only. An existing entry that is a symbolic link or grants any
// group/other permission is refused, never repaired (someone else may
// already have read it); new entries are created 0600 (files) or 0700
// (directories), and replaced atomically.

var (
	errSymlink = "server state must not be a symbolic link"
	errLoose   = "server state must be private to its owner"
)

// ensurePrivate checks that path is not a symbolic link and grants no
// group or other permission (Permission otherwise, with the path).
func ensurePrivate(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to inspect server state permissions", Path: path, Err: err}
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return &core.Error{Kind: core.Permission, Message: errSymlink, Path: path}
	}
	if fi.Mode().Perm()&0o077 != 0 || !ownedByMe(fi) {
		return &core.Error{Kind: core.Permission, Message: errLoose, Path: path,
			Hint: "Review the state ownership and permissions before retrying; Plasmite does not change unsafe existing state."}
	}
	return nil
}

// tmpSeq makes temporary names unique within the process.
var tmpSeq atomic.Uint64

// writeAtomic replaces path with data (mode 0600): written to a temporary
// file in the same directory, synced, renamed over path, and the directory
// synced, so that a reader (or a crash) sees the old file or the new one.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, "."+filepath.Base(path)+"."+strconv.Itoa(os.Getpid())+"."+
		strconv.FormatUint(tmpSeq.Add(1), 10)+"."+strconv.FormatInt(time.Now().UnixNano()%1e6, 10)+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to persist server state", Path: path, Err: err}
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return &core.Error{Kind: core.IO, Message: "failed to commit server state", Path: path, Err: err}
	}
	return syncDir(dir)
}

// writeNew creates path (0600) with data; it must not exist.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to write server identity", Path: path, Err: err}
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return &core.Error{Kind: core.IO, Message: "failed to write server identity", Path: path, Err: err}
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a directory's entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to sync server state directory", Path: dir, Err: err}
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to sync server state directory", Path: dir, Err: err}
	}
	return nil
}

// readPrivateJSON reads a private JSON state file into v: Permission when
// it is loose or a link, Corrupt when it does not decode.
func readPrivateJSON(path string, v any) error {
	if err := ensurePrivate(path); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to read server state", Path: path, Err: err}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &core.Error{Kind: core.Corrupt, Message: "invalid server state", Path: path, Err: err}
	}
	return nil
}

// exists reports whether path names an entry (a link counts).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
