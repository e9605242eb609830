package access

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/plasmite-go/plasmite/core"
)

// record is one entry of keys.json, in 1.2.1's shape: the verifier of the
// secret, never the secret.
type record struct {
	Name      string `json:"name"`
	Verifier  string `json:"verifier"`
	Revoked   bool   `json:"revoked"`
	CreatedAt *int64 `json:"created_at"`
}

// live is a record's state in this process: a context cancelled when the
// key is revoked (every request and stream authorised by it ends), and
// when it was last used.
type live struct {
	ctx      context.Context
	cancel   context.CancelFunc
	lastUsed *int64
}

// Keys are a server's access-key records (keys.json). Changes are
// persisted before they take effect or are reported. Safe for concurrent
// use.
type Keys struct {
	path        string
	fingerprint string

	mu      sync.Mutex
	records []record
	live    []live
}

// KeySummary is one key as `access keys` lists it.
type KeySummary struct {
	CreatedAt  *int64 `json:"created_at"`
	ID         string `json:"id"`
	LastUsedAt *int64 `json:"last_used_at"`
	Name       string `json:"name"`
	Revoked    bool   `json:"revoked"`
}

// Grant is an authorised key's hold on the server: Done is closed when
// the key is revoked.
type Grant struct {
	ctx context.Context
}

// Done is closed once the key is revoked.
func (g Grant) Done() <-chan struct{} { return g.ctx.Done() }

// Context is done once the key is revoked.
func (g Grant) Context() context.Context { return g.ctx }

func loadKeys(dir, fingerprint string) (*Keys, error) {
	k := &Keys{path: filepath.Join(dir, "keys.json"), fingerprint: fingerprint}
	if exists(k.path) {
		if err := readPrivateJSON(k.path, &k.records); err != nil {
			return nil, err
		}
	}
	k.live = make([]live, len(k.records))
	for i := range k.records {
		k.live[i] = newLive(k.records[i].Revoked)
	}
	return k, nil
}

func newLive(revoked bool) live {
	ctx, cancel := context.WithCancel(context.Background())
	if revoked {
		cancel()
	}
	return live{ctx: ctx, cancel: cancel}
}

// ErrKeyName is the error of a key name that is empty, too long or holds
// control characters (after trimming).
var ErrKeyName = &core.Error{Kind: core.Usage, Message: "access key name must contain 1 to 128 characters"}

// CheckKeyName trims name and checks it: 1 to 128 bytes, no control
// characters.
func CheckKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 128 || strings.ContainsFunc(name, unicode.IsControl) {
		return "", ErrKeyName
	}
	return name, nil
}

// Issue creates a key named name (see CheckKeyName) for this server and
// returns it; only its verifier is kept, persisted before Issue returns.
func (k *Keys) Issue(name string) (Key, error) {
	name, err := CheckKeyName(name)
	if err != nil {
		return Key{}, err
	}
	var pin [32]byte
	if _, err := hex.Decode(pin[:], []byte(k.fingerprint)); err != nil {
		return Key{}, &core.Error{Kind: core.Internal, Message: "invalid server fingerprint"}
	}
	key, err := NewKey(pin)
	if err != nil {
		return Key{}, err
	}
	now := time.Now().Unix()
	k.mu.Lock()
	defer k.mu.Unlock()
	next := append(append([]record(nil), k.records...), record{Name: name, Verifier: key.Verifier(), CreatedAt: &now})
	if err := k.save(next); err != nil {
		return Key{}, err
	}
	k.records = next
	k.live = append(k.live, newLive(false))
	return key, nil
}

// save persists records (the caller holds mu).
func (k *Keys) save(records []record) error {
	if records == nil {
		records = []record{}
	}
	b, _ := json.Marshal(records)
	return writeAtomic(k.path, b)
}

// Authorize checks a bearer secret as a client sent it (64 hex digits):
// ok only for a key on record that is not revoked. The comparison with
// each verifier takes constant time.
func (k *Keys) Authorize(secretHex string) (Grant, bool) {
	v, ok := SecretVerifier(secretHex)
	if !ok {
		return Grant{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	found := -1
	for i := range k.records {
		if subtle.ConstantTimeCompare([]byte(k.records[i].Verifier), []byte(v)) == 1 {
			found = i
		}
	}
	if found < 0 || k.records[found].Revoked {
		return Grant{}, false
	}
	now := time.Now().Unix()
	k.live[found].lastUsed = &now
	return Grant{ctx: k.live[found].ctx}, true
}

// List returns every key, in the order they were issued.
func (k *Keys) List() []KeySummary {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]KeySummary, len(k.records))
	for i, r := range k.records {
		out[i] = KeySummary{CreatedAt: r.CreatedAt, ID: KeyID(r.Verifier), LastUsedAt: k.live[i].lastUsed, Name: r.Name, Revoked: r.Revoked}
	}
	return out
}

// ErrKeyNotFound is Revoke's error for an id on no record.
var ErrKeyNotFound = &core.Error{Kind: core.NotFound, Message: "access key not found"}

// Revoke revokes the key with id (see KeyID): persisted first, then every
// request and stream it authorised is ended (their grants' Done closes).
// Revoking a revoked key again succeeds.
func (k *Keys) Revoke(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, r := range k.records {
		if KeyID(r.Verifier) != id {
			continue
		}
		if r.Revoked {
			return nil
		}
		next := append([]record(nil), k.records...)
		next[i].Revoked = true
		if err := k.save(next); err != nil {
			return err
		}
		k.records = next
		k.live[i].cancel()
		return nil
	}
	return ErrKeyNotFound
}
