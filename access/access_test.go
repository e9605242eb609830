package access

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

func testKey(t *testing.T) Key {
	t.Helper()
	k, err := NewKey(sha256.Sum256([]byte("spki")))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyRoundTripAndRedaction(t *testing.T) {
	k := testKey(t)
	text := k.Reveal()
	got, err := ParseKey(text)
	if err != nil || got != k {
		t.Fatalf("ParseKey(Reveal) = %v, %v", got, err)
	}
	for _, form := range []string{fmt.Sprint(k), fmt.Sprintf("%v %s %#v %+v", k, k, k, k), k.String()} {
		if strings.Contains(form, k.SecretHex()) {
			t.Fatalf("a printed form shows the secret: %q", form)
		}
	}
	if v, ok := SecretVerifier(strings.ToUpper(k.SecretHex())); !ok || v != k.Verifier() {
		t.Fatalf("SecretVerifier(upper) = %q, %v; want %q", v, ok, k.Verifier())
	}
	sum := sha256.Sum256([]byte(k.Verifier()))
	if KeyID(k.Verifier()) != hex.EncodeToString(sum[:]) {
		t.Fatal("KeyID is not the SHA-256 of the verifier text")
	}
}

func TestParseKeyRejects(t *testing.T) {
	k := testKey(t).Reveal()
	for _, bad := range []string{"", "pk1", "pk2" + k[3:], k + ".x", k[:len(k)-1], strings.ToUpper(k),
		"pk1." + k[4:68] + "." + k[69:] + "0", strings.Replace(k, ".", "-", 1)} {
		_, err := ParseKey(bad)
		if err != ErrInvalidKey {
			t.Errorf("ParseKey(%q) = %v, want ErrInvalidKey", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), bad) && bad != "" {
			t.Errorf("the error quotes its input")
		}
	}
}

func TestRecordRoundTripAndCorruption(t *testing.T) {
	k := testKey(t)
	d := "https://127.0.0.1:19743/"
	rec := EncodeRecord(d, k)
	if !strings.HasPrefix(rec, "01") {
		t.Fatalf("record does not start with version 1: %s", rec[:4])
	}
	got, err := DecodeRecord(d, rec)
	if err != nil || got != k {
		t.Fatalf("DecodeRecord = %v, %v", got, err)
	}
	if _, err := DecodeRecord("https://localhost:19743/", rec); core.KindOf(err) != core.Corrupt {
		t.Fatalf("another destination: %v", err)
	}
	for _, bad := range []string{"", "zz", rec[:len(rec)-2], "02" + rec[2:], strings.ToUpper(rec)} {
		if _, err := DecodeRecord(d, bad); core.KindOf(err) != core.Corrupt {
			t.Errorf("DecodeRecord(%q) = %v, want Corrupt", bad, err)
		}
	}
}

func TestConnectionsStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	c := OpenConnections(dir)
	if _, ok, err := c.Load("https://a:1/"); ok || err != nil {
		t.Fatalf("empty store Load = %v, %v", ok, err)
	}
	k1, k2 := testKey(t), testKey(t)
	if err := c.Save("https://b:2/", k1); err != nil {
		t.Fatal(err)
	}
	if err := c.Save("https://a:1/", k2); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Load("https://b:2/")
	if !ok || err != nil || got != k1 {
		t.Fatalf("Load = %v %v %v", got, ok, err)
	}
	list, _ := c.List()
	if strings.Join(list, ",") != "https://a:1/,https://b:2/" {
		t.Fatalf("List = %v", list)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "connections.json"))
	var file struct {
		Version     int               `json:"version"`
		Connections map[string]string `json:"connections"`
	}
	if err := json.Unmarshal(b, &file); err != nil || file.Version != 1 || len(file.Connections) != 2 {
		t.Fatalf("connections.json = %s (%v)", b, err)
	}
	// 1.2.1's encoding on Linux and macOS: no wrapping, the record is the
	// payload's hex (protected by the file's permissions).
	if file.Connections["https://b:2/"] != EncodeRecord("https://b:2/", k1) {
		t.Fatal("the record is not 1.2.1's encoding")
	}
	for _, name := range []string{"", "connections.json", "connections.lock"} {
		fi, _ := os.Stat(filepath.Join(dir, name))
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", name, fi.Mode())
		}
	}
	if err := c.Remove("https://b:2/"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Load("https://b:2/"); ok {
		t.Fatal("removed connection still loads")
	}
	// A symbolic link in place of the file is refused.
	os.Rename(filepath.Join(dir, "connections.json"), filepath.Join(dir, "real.json"))
	os.Symlink("real.json", filepath.Join(dir, "connections.json"))
	if _, _, err := c.Load("https://a:1/"); core.KindOf(err) != core.Permission {
		t.Fatalf("symlinked store: %v", err)
	}
}

func TestDestination(t *testing.T) {
	for in, want := range map[string]string{
		"https://127.0.0.1:19743": "https://127.0.0.1:19743/", "HTTPS://Host.Example:443/": "https://host.example/",
	} {
		if got, err := Destination(in); err != nil || got != want {
			t.Errorf("Destination(%q) = %q, %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"http://127.0.0.1:1": "server URL must use HTTPS", "https://h/x": "server URL must be an origin without a path, query, or fragment",
		"https://u@h/": "server URL must name a host and must not contain credentials", "nope": "invalid server URL",
	} {
		if _, err := Destination(in); err == nil || err.(*core.Error).Message != msg {
			t.Errorf("Destination(%q) = %v, want %q", in, err, msg)
		}
	}
}

func openTestState(t *testing.T, dir string, o StateOptions) *State {
	t.Helper()
	s, err := OpenState(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func leafOf(t *testing.T, s *State) *x509.Certificate {
	t.Helper()
	c, err := s.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestStateIdentityPersistsAndRenewsForANewHost(t *testing.T) {
	dir := t.TempDir()
	s := openTestState(t, dir, StateOptions{})
	fp := s.Fingerprint()
	leaf := leafOf(t, s)
	if leaf.Subject.CommonName != "rcgen self signed cert" || leaf.IsCA || !leaf.BasicConstraintsValid ||
		leaf.NotAfter.Year() != 4096 || leaf.VerifyHostname("127.0.0.1") != nil || leaf.VerifyHostname("::1") != nil ||
		leaf.VerifyHostname("localhost") != nil {
		t.Fatalf("generated certificate: %+v", leaf)
	}
	if _, err := OpenState(dir, StateOptions{}); core.KindOf(err) != core.Busy {
		t.Fatalf("second owner: %v", err)
	}
	s.Close()
	s = openTestState(t, dir, StateOptions{SharedAddress: "https://pools.example.net:9743"})
	if s.Fingerprint() != fp {
		t.Fatal("the key changed with the shared address")
	}
	if leafOf(t, s).VerifyHostname("pools.example.net") != nil {
		t.Fatal("the renewed certificate does not name the shared host")
	}
	s.Close()
	var id identityFile
	b, _ := os.ReadFile(filepath.Join(dir, StateDirName, "identity.json"))
	json.Unmarshal(b, &id)
	if !id.Generated || !id.BrowserLeafV1 || deref(id.SharedAddress) != "https://pools.example.net:9743" ||
		!strings.HasPrefix(id.CertFile, "cert-") || !strings.HasPrefix(id.KeyFile, "key-") {
		t.Fatalf("identity.json = %s", b)
	}
	if got, err := SavedFingerprint(dir); err != nil || got != fp {
		t.Fatalf("SavedFingerprint = %q, %v", got, err)
	}
}

func TestStateRefusesLooseOrLinkedEntries(t *testing.T) {
	dir := t.TempDir()
	openTestState(t, dir, StateOptions{}).Close()
	state := filepath.Join(dir, StateDirName)
	os.Chmod(state, 0o750)
	if _, err := OpenState(dir, StateOptions{}); core.KindOf(err) != core.Permission {
		t.Fatalf("group bit on the directory: %v", err)
	}
	os.Chmod(state, 0o700)
	id := filepath.Join(state, "identity.json")
	os.Chmod(id, 0o604)
	if _, err := OpenState(dir, StateOptions{}); core.KindOf(err) != core.Permission {
		t.Fatalf("other bit on identity.json: %v", err)
	}
	os.Chmod(id, 0o600)
	os.Rename(id, id+".real")
	os.Symlink(id+".real", id)
	_, err := OpenState(dir, StateOptions{})
	if core.KindOf(err) != core.Permission || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("symlinked identity.json: %v", err)
	}
}

func TestStateOwnerAndFrontCertificates(t *testing.T) {
	src := t.TempDir()
	certPEM, keyPEM, err := generateIdentity("")
	if err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(src, "c.pem"), filepath.Join(src, "k.pem")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	front, _, _ := generateIdentity("")
	frontPath := filepath.Join(src, "front.pem")
	os.WriteFile(frontPath, front, 0o600)
	dir := t.TempDir()
	s := openTestState(t, dir, StateOptions{TLSCert: cert, TLSKey: key, FrontCert: frontPath})
	want, _ := pemFingerprint(front, "")
	if s.Fingerprint() != want {
		t.Fatal("the fingerprint is not the front certificate's")
	}
	s.Close()
	if _, err := OpenState(t.TempDir(), StateOptions{TLSCert: cert, TLSKey: frontPath}); core.KindOf(err) != core.Usage {
		t.Fatalf("mismatched owner pair: %v", err)
	}
}

func TestKeysIssueAuthorizeRevoke(t *testing.T) {
	dir := t.TempDir()
	s := openTestState(t, dir, StateOptions{})
	k, err := s.Keys().Issue("  laptop ")
	if err != nil {
		t.Fatal(err)
	}
	if k.PinHex() != s.Fingerprint() {
		t.Fatal("the key does not pin the server")
	}
	b, _ := os.ReadFile(filepath.Join(s.Dir(), "keys.json"))
	if strings.Contains(string(b), k.SecretHex()) || !strings.Contains(string(b), k.Verifier()) ||
		!strings.Contains(string(b), `"name":"laptop"`) {
		t.Fatalf("keys.json = %s", b)
	}
	g, ok := s.Keys().Authorize(k.SecretHex())
	if !ok {
		t.Fatal("issued key refused")
	}
	if _, ok := s.Keys().Authorize(testKey(t).SecretHex()); ok {
		t.Fatal("unknown key accepted")
	}
	for _, name := range []string{"", " ", "a\x01b", strings.Repeat("n", 129)} {
		if _, err := s.Keys().Issue(name); err != ErrKeyName {
			t.Fatalf("Issue(%q) = %v", name, err)
		}
	}
	for _, bad := range []string{"", "xyz", strings.Repeat("g", 64)} {
		if _, ok := s.Keys().Authorize(bad); ok {
			t.Fatalf("Authorize(%q) accepted", bad)
		}
	}
	list := s.Keys().List()
	if len(list) != 1 || list[0].ID != KeyID(k.Verifier()) || list[0].LastUsedAt == nil {
		t.Fatalf("List = %+v", list)
	}
	if err := s.Keys().Revoke("nope"); err != ErrKeyNotFound {
		t.Fatalf("Revoke(unknown) = %v", err)
	}
	if err := s.Keys().Revoke(list[0].ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the grant did not end on revocation")
	}
	if _, ok := s.Keys().Authorize(k.SecretHex()); ok {
		t.Fatal("revoked key accepted")
	}
	if err := s.Keys().Revoke(list[0].ID); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	s.Close()
	s = openTestState(t, dir, StateOptions{})
	defer s.Close()
	if _, ok := s.Keys().Authorize(k.SecretHex()); ok {
		t.Fatal("revocation was not persisted")
	}
}

func TestCredentialsVerifyLeaf(t *testing.T) {
	certPEM, _, _ := generateIdentity("https://pools.example.net")
	blk, _ := pem.Decode(certPEM)
	leaf, _ := x509.ParseCertificate(blk.Bytes)
	pin := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	now := time.Now()
	if err := verifyLeaf(leaf, pin, "pools.example.net", now); err != nil {
		t.Fatal(err)
	}
	if err := verifyLeaf(leaf, sha256.Sum256(nil), "127.0.0.1", now); err != ErrPinMismatch {
		t.Fatalf("wrong pin: %v", err)
	}
	if err := verifyLeaf(leaf, pin, "other.example.net", now); err == nil {
		t.Fatal("wrong name accepted")
	}
	if err := verifyLeaf(leaf, pin, "127.0.0.1", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)); err != ErrExpired {
		t.Fatalf("not yet valid: %v", err)
	}
}
