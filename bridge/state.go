package bridge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// State is what an outbound bridge keeps in its state file: who it is and
// how far the stream has acknowledged it.
type State struct {
	// Identity names this pool to the stream: every publish carries the
	// message id "<Identity>:<seq>". It is a random UUID made when the state
	// file is first written; the pool format has no identity of its own.
	Identity string `json:"identity"`
	Pool     string `json:"pool"`   // the pool's path when the state was made
	Stream   string `json:"stream"` // the stream the state belongs to
	// Seq is the last pool seq the stream acked (0: none yet), Time its
	// pool time (Unix ns): a pool recreated under the same path is told
	// apart by the time of that seq, or by having fewer messages.
	Seq  uint64 `json:"seq"`
	Time int64  `json:"time"`
}

// StatePath is where the outbound bridge from pool to stream keeps its
// state by default: beside the pool, "<pool without .plasmite>.bridge-<stream>.json"
// (not a *.plasmite name, so pool list does not show it).
func StatePath(pool, stream string) string {
	return strings.TrimSuffix(pool, ".plasmite") + ".bridge-" + stream + ".json"
}

// newIdentity is a random (version 4) UUID.
func newIdentity() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", &core.Error{Kind: core.Internal, Message: "no randomness for the bridge identity", Err: err}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// loadState reads the state file; ok is false when there is none.
func loadState(path string) (s State, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, &core.Error{Kind: core.IO, Message: "cannot read the bridge state", Path: path, Err: err}
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Identity == "" {
		return State{}, false, &core.Error{Kind: core.Corrupt, Message: "bridge state is not a state document", Path: path, Err: err,
			Hint: "Remove the file to forward the pool again as a new source (the stream then holds its retained messages twice)."}
	}
	return s, true, nil
}

// save replaces the state file atomically and durably: a crash leaves the
// old state or the new one, never a torn file.
func (s State) save(path string) error {
	b, _ := json.Marshal(s)
	b = append(b, '\n')
	fail := func(err error) error {
		return &core.Error{Kind: core.IO, Message: "cannot write the bridge state", Path: path, Err: err}
	}
	// One fixed temporary name: a crash between create and rename leaves one
	// file, which the next save truncates.
	tmp, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fail(err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fail(err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
