package access

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"

	"github.com/plasmite-go/plasmite/core"
)

// Connections is an OS user's saved connections: for each server
// destination (see Destination), the access key that reaches it. The
// files and their encoding are 1.2.1's, so that either CLI reads what the
// other saved: DIR/connections.json
// {"version":1,"connections":{"https://h:p/":"<hex record>"}} beside
// DIR/connections.lock (shared flock to read, exclusive to write). The
// directory is 0700 and the files 0600; a symbolic link or another owner
// is refused.
type Connections struct {
	dir string
}

// OpenConnections returns the store in dir (created on the first save).
// The CLI chooses dir: $PLASMITE_ACCESS_HOME, else the platform's
// configuration directory (see DefaultConnectionsDir).
func OpenConnections(dir string) *Connections { return &Connections{dir: dir} }

// Dir is the store's directory.
func (c *Connections) Dir() string { return c.dir }

// storeVersion is connections.json's version.
const storeVersion = 1

type connectionsFile struct {
	Version     int               `json:"version"`
	Connections map[string]string `json:"connections"`
}

// EncodeRecord is a saved connection as connections.json holds it: the
// hex of 0x01, the destination's length (u16 big-endian), the destination,
// the 32-byte pin and the 32-byte secret.
func EncodeRecord(destination string, k Key) string {
	b := make([]byte, 0, 3+len(destination)+64)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(destination)))
	b = append(b, destination...)
	b = append(b, k.pin[:]...)
	b = append(b, k.secret[:]...)
	return hex.EncodeToString(b)
}

var (
	errRecord     = &core.Error{Kind: core.Corrupt, Message: "saved connection is invalid"}
	errRecordDest = &core.Error{Kind: core.Corrupt, Message: "saved connection destination does not match"}
)

// DecodeRecord reads a record EncodeRecord wrote for destination: Corrupt
// when it is not one, or is one for another destination.
func DecodeRecord(destination, record string) (Key, error) {
	if !isLowerHex(record) {
		return Key{}, errRecord
	}
	b, err := hex.DecodeString(record)
	if err != nil || len(b) < 3+64 || b[0] != 1 {
		return Key{}, errRecord
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	end := 3 + n
	if end+64 != len(b) || string(b[3:end]) != destination {
		return Key{}, errRecordDest
	}
	var k Key
	copy(k.pin[:], b[end:end+32])
	copy(k.secret[:], b[end+32:])
	return k, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return len(s)%2 == 0
}

func storeErr(msg string, err error, path string) error {
	return &core.Error{Kind: core.IO, Message: msg, Path: path, Err: err}
}

// prepare makes (or checks) the private directory and opens the lock.
func (c *Connections) prepare(create bool) (*os.File, error) {
	if create {
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			return nil, storeErr("failed to create saved connection directory", err, c.dir)
		}
	}
	fi, err := os.Lstat(c.dir)
	if err != nil {
		return nil, storeErr("failed to inspect saved connection directory", err, c.dir)
	}
	if fi.Mode()&os.ModeSymlink != 0 || !fi.IsDir() {
		return nil, &core.Error{Kind: core.Permission, Message: "saved connection path must be a real directory", Path: c.dir}
	}
	if !ownedByMe(fi) {
		return nil, &core.Error{Kind: core.Permission, Message: "saved connection directory is owned by another user", Path: c.dir}
	}
	if err := os.Chmod(c.dir, 0o700); err != nil {
		return nil, storeErr("failed to protect saved connection directory", err, c.dir)
	}
	lockPath := filepath.Join(c.dir, "connections.lock")
	if fi, err := os.Lstat(lockPath); err == nil && (fi.Mode()&os.ModeSymlink != 0 || !fi.Mode().IsRegular()) {
		return nil, &core.Error{Kind: core.Permission, Message: "saved connection lock must be a regular file", Path: lockPath}
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, storeErr("failed to open saved connection lock", err, lockPath)
	}
	f.Chmod(0o600)
	return f, nil
}

// read reads connections.json (an empty store when it is missing).
func (c *Connections) read() (connectionsFile, error) {
	path := filepath.Join(c.dir, "connections.json")
	file := connectionsFile{Version: storeVersion, Connections: map[string]string{}}
	fi, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return file, nil
	}
	if err != nil {
		return file, storeErr("failed to inspect saved connections", err, path)
	}
	if fi.Mode()&os.ModeSymlink != 0 || !fi.Mode().IsRegular() {
		return file, &core.Error{Kind: core.Permission, Message: "saved connection file must be a regular file", Path: path}
	}
	if !ownedByMe(fi) {
		return file, &core.Error{Kind: core.Permission, Message: "saved connection file is owned by another user", Path: path}
	}
	os.Chmod(path, 0o600)
	b, err := os.ReadFile(path)
	if err != nil {
		return file, storeErr("failed to read saved connections", err, path)
	}
	return decodeConnectionsFile(b, path)
}

// decodeConnectionsFile parses connections.json's text.
func decodeConnectionsFile(b []byte, path string) (connectionsFile, error) {
	var file connectionsFile
	if err := json.Unmarshal(b, &file); err != nil || file.Connections == nil {
		return file, &core.Error{Kind: core.Corrupt, Message: "saved connection file is invalid", Path: path, Err: err}
	}
	if file.Version != storeVersion {
		return file, &core.Error{Kind: core.Corrupt, Message: "saved connection file has an unsupported version", Path: path}
	}
	return file, nil
}

var errNoStoreDir = &core.Error{Kind: core.Usage, Message: "PLASMITE_ACCESS_HOME must name a directory",
	Hint: "Set PLASMITE_ACCESS_HOME (or HOME) to where saved connections are kept."}

// locked runs fn under the store's lock (exclusive when writing).
func (c *Connections) locked(write bool, fn func() error) error {
	if c.dir == "" {
		return errNoStoreDir
	}
	if !write && !exists(c.dir) {
		return fn()
	}
	f, err := c.prepare(write)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := flock(f, write, true); err != nil {
		return storeErr("failed to lock saved connections", err, c.dir)
	}
	defer funlock(f)
	return fn()
}

// Load returns the key saved for destination; ok is false when there is
// none.
func (c *Connections) Load(destination string) (k Key, ok bool, err error) {
	err = c.locked(false, func() error {
		file, err := c.read()
		if err != nil {
			return err
		}
		rec, found := file.Connections[destination]
		if !found {
			return nil
		}
		k, err = DecodeRecord(destination, rec)
		ok = err == nil
		return err
	})
	return k, ok, err
}

// List returns the saved destinations, sorted, without decoding any key.
func (c *Connections) List() ([]string, error) {
	var out []string
	err := c.locked(false, func() error {
		file, err := c.read()
		for d := range file.Connections {
			out = append(out, d)
		}
		return err
	})
	sort.Strings(out)
	return out, err
}

// Save saves k for destination, replacing what was saved for it.
func (c *Connections) Save(destination string, k Key) error {
	return c.locked(true, func() error {
		file, err := c.read()
		if err != nil {
			return err
		}
		file.Connections[destination] = EncodeRecord(destination, k)
		return c.write(file)
	})
}

// Remove forgets destination's key (nothing to forget is not an error).
func (c *Connections) Remove(destination string) error {
	return c.locked(true, func() error {
		file, err := c.read()
		if err != nil {
			return err
		}
		if _, ok := file.Connections[destination]; !ok {
			return nil
		}
		delete(file.Connections, destination)
		return c.write(file)
	})
}

func (c *Connections) write(file connectionsFile) error {
	b, _ := json.Marshal(file)
	path := filepath.Join(c.dir, "connections.json")
	if err := writeAtomic(path, b); err != nil {
		return storeErr("failed to save connections", err, path)
	}
	return nil
}
