package access

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"

	"github.com/plasmite-go/plasmite/core"
)

// StateDirName is the server's state directory inside a pool directory.
const StateDirName = ".plasmite-serve"

// StateOptions say what identity a server starts with. The zero value
// keeps (or generates) the directory's own identity.
type StateOptions struct {
	// SharedAddress is the public origin ("https://host[:port]", already
	// normalised) or "". A generated certificate names its host; a new
	// host gets a new certificate for the same key. It is persisted.
	SharedAddress string
	// TLSCert and TLSKey (together) are the owner's certificate chain and
	// key, PEM; they are validated and copied into the state directory.
	TLSCert, TLSKey string
	// FrontCert is a TLS proxy's certificate: its public key becomes the
	// fingerprint new keys pin. It is persisted.
	FrontCert string
}

// State is an open server state directory, DIR/.plasmite-serve: its
// exclusive lock is held until Close, so one server owns a pool directory
// at a time.
type State struct {
	dir           string
	lock          *os.File
	certPath      string
	keyPath       string
	fingerprint   string
	sharedAddress string
	keys          *Keys
}

// OpenState opens (creating when missing) the state directory of poolDir,
// takes its lock, and loads or creates the server identity and the key
// records, as 1.2.1 does. Errors: Busy `another server owns this pool
// directory`; Permission when an existing entry is a symbolic link or not
// private to its owner (nothing is repaired); Corrupt when a state file
// does not decode or a renewed certificate would change the public key;
// Usage for unusable owner TLS files; IO otherwise.
func OpenState(poolDir string, o StateOptions) (*State, error) {
	dir := filepath.Join(poolDir, StateDirName)
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, &core.Error{Kind: core.IO, Message: "failed to create server state directory", Path: dir, Err: err}
	}
	if err := ensurePrivate(dir); err != nil {
		return nil, err
	}
	lockPath := filepath.Join(dir, "lock")
	if exists(lockPath) {
		if err := ensurePrivate(lockPath); err != nil {
			return nil, err
		}
	}
	lock, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &core.Error{Kind: core.IO, Message: "failed to open server state", Path: lockPath, Err: err}
	}
	if err := flock(lock, true, false); err != nil {
		lock.Close()
		return nil, &core.Error{Kind: core.Busy, Message: "another server owns this pool directory", Path: dir, Err: err}
	}
	s := &State{dir: dir, lock: lock}
	if err := s.loadIdentity(o); err != nil {
		s.Close()
		return nil, err
	}
	if s.keys, err = loadKeys(dir, s.fingerprint); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// loadIdentity reads identity.json (or starts one), applies o, checks the
// result and saves it when it changed.
func (s *State) loadIdentity(o StateOptions) error {
	dir := s.dir
	idPath := filepath.Join(dir, "identity.json")
	var prev *identityFile
	if exists(idPath) {
		prev = &identityFile{}
		if err := readPrivateJSON(idPath, prev); err != nil {
			return err
		}
		names := []string{prev.CertFile, prev.KeyFile}
		if prev.FrontCertFile != nil {
			names = append(names, *prev.FrontCertFile)
		}
		for _, n := range names {
			p, err := stateFile(dir, n)
			if err != nil {
				return err
			}
			if err := ensurePrivate(p); err != nil {
				return err
			}
		}
	}
	id := identityFile{Generated: o.TLSCert == ""}
	if prev != nil {
		id = *prev
	}
	// Every owner input is checked before any part of a new identity is
	// written.
	var ownerCert, ownerKey, front []byte
	var err error
	if o.TLSCert != "" {
		if ownerCert, err = readOwnerFile(o.TLSCert, "certificate"); err != nil {
			return err
		}
		if ownerKey, err = readOwnerFile(o.TLSKey, "TLS key"); err != nil {
			return err
		}
		if err := validateTLSFiles(ownerCert, ownerKey, o.TLSCert); err != nil {
			return err
		}
	}
	if o.FrontCert != "" {
		if front, err = readOwnerFile(o.FrontCert, "front certificate"); err != nil {
			return err
		}
		if _, err := pemFingerprint(front, o.FrontCert); err != nil {
			return err
		}
	}
	oldFingerprint := ""
	if prev != nil {
		p, err := stateFile(dir, id.CertFile)
		if err != nil {
			return err
		}
		if oldFingerprint, err = CertFingerprint(p); err != nil {
			return err
		}
	}
	switch {
	case ownerCert != nil:
		if prev == nil || !s.sameFile(id.CertFile, ownerCert) || !s.sameFile(id.KeyFile, ownerKey) {
			if id.CertFile, err = writeGeneration(dir, "cert", ownerCert); err != nil {
				return err
			}
			if id.KeyFile, err = writeGeneration(dir, "key", ownerKey); err != nil {
				return err
			}
		}
		id.Generated, id.BrowserLeafV1 = false, false
	case prev == nil:
		certPEM, keyPEM, err := generateIdentity(o.SharedAddress)
		if err != nil {
			return err
		}
		if id.CertFile, err = writeGeneration(dir, "cert", certPEM); err != nil {
			return err
		}
		if id.KeyFile, err = writeGeneration(dir, "key", keyPEM); err != nil {
			return err
		}
		id.Generated, id.BrowserLeafV1 = true, true
	case id.Generated && (!id.BrowserLeafV1 ||
		o.SharedAddress != "" && addressHost(o.SharedAddress) != addressHost(deref(id.SharedAddress))):
		keyPath, err := stateFile(dir, id.KeyFile)
		if err != nil {
			return err
		}
		keyPEM, err := os.ReadFile(keyPath)
		if err != nil {
			return &core.Error{Kind: core.IO, Message: "failed to read retained server key", Path: keyPath, Err: err}
		}
		certPEM, err := renewCertificate(keyPEM, o.SharedAddress)
		if err != nil {
			return err
		}
		if id.CertFile, err = writeGeneration(dir, "cert", certPEM); err != nil {
			return err
		}
		id.BrowserLeafV1 = true
	}
	if front != nil && (id.FrontCertFile == nil || !s.sameFile(*id.FrontCertFile, front)) {
		name, err := writeGeneration(dir, "front", front)
		if err != nil {
			return err
		}
		id.FrontCertFile = &name
	}
	if o.SharedAddress != "" {
		id.SharedAddress = strptr(o.SharedAddress)
	}
	if s.certPath, err = stateFile(dir, id.CertFile); err != nil {
		return err
	}
	if s.keyPath, err = stateFile(dir, id.KeyFile); err != nil {
		return err
	}
	if _, err := s.Certificate(); err != nil {
		return err
	}
	serverFP, err := CertFingerprint(s.certPath)
	if err != nil {
		return err
	}
	if id.Generated && oldFingerprint != "" && oldFingerprint != serverFP {
		return &core.Error{Kind: core.Corrupt, Message: "renewed certificate changed the server public key"}
	}
	s.fingerprint = serverFP
	if id.FrontCertFile != nil {
		p, err := stateFile(dir, *id.FrontCertFile)
		if err != nil {
			return err
		}
		if s.fingerprint, err = CertFingerprint(p); err != nil {
			return err
		}
	}
	s.sharedAddress = deref(id.SharedAddress)
	if prev == nil || !reflect.DeepEqual(*prev, id) {
		b, _ := json.Marshal(id)
		if err := writeAtomic(idPath, b); err != nil {
			return err
		}
	}
	return nil
}

// sameFile reports whether the state file name holds exactly data.
func (s *State) sameFile(name string, data []byte) bool {
	p, err := stateFile(s.dir, name)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(p)
	return err == nil && bytes.Equal(b, data)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Close releases the lock. The State's Keys stay readable but a new
// server may now own the directory.
func (s *State) Close() {
	if s.lock != nil {
		funlock(s.lock)
		s.lock.Close()
		s.lock = nil
	}
}

// Dir is the state directory's path.
func (s *State) Dir() string { return s.dir }

// Fingerprint is the fingerprint new keys pin: the front certificate's
// public key when one is configured, else the server certificate's.
func (s *State) Fingerprint() string { return s.fingerprint }

// SharedAddress is the persisted public origin ("" when none).
func (s *State) SharedAddress() string { return s.sharedAddress }

// Keys are the server's access-key records.
func (s *State) Keys() *Keys { return s.keys }

// Certificate loads the server's current certificate and key.
func (s *State) Certificate() (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(s.certPath, s.keyPath)
	if err != nil {
		return c, &core.Error{Kind: core.Corrupt, Message: "invalid server certificate or key", Path: s.certPath, Err: err}
	}
	return c, nil
}

// WriteLocal records the local listener's address in local.json (a JSON
// string), where `access invite|keys|revoke` find the running server.
func (s *State) WriteLocal(addr string) error {
	return writeAtomic(filepath.Join(s.dir, "local.json"), []byte(strconv.Quote(addr)))
}

// SavedFingerprint reads the fingerprint of poolDir's server identity
// without taking the lock (the administration client's check that it
// talks to the server of this directory). The certificate must be
// private.
func SavedFingerprint(poolDir string) (string, error) {
	dir := filepath.Join(poolDir, StateDirName)
	var id identityFile
	if err := readPrivateJSON(filepath.Join(dir, "identity.json"), &id); err != nil {
		return "", err
	}
	name := id.CertFile
	if id.FrontCertFile != nil {
		name = *id.FrontCertFile
	}
	p, err := stateFile(dir, name)
	if err != nil {
		return "", err
	}
	if err := ensurePrivate(p); err != nil {
		return "", err
	}
	return CertFingerprint(p)
}

// LocalAddress reads the running server's local listener address from
// local.json; it must be a loopback IP:port.
func LocalAddress(poolDir string) (string, error) {
	p := filepath.Join(poolDir, StateDirName, "local.json")
	var addr string
	if err := readPrivateJSON(p, &addr); err != nil {
		return "", err
	}
	return addr, nil
}
