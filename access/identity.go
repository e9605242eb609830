package access

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// identityFile is DIR/.plasmite-serve/identity.json, in 1.2.1's shape: it
// names the current certificate and key files (and a TLS proxy's
// certificate), says whether the pair was generated here, and keeps the
// shared address the certificate was issued for.
type identityFile struct {
	CertFile      string  `json:"cert_file"`
	KeyFile       string  `json:"key_file"`
	FrontCertFile *string `json:"front_cert_file"`
	Generated     bool    `json:"generated"`
	BrowserLeafV1 bool    `json:"browser_leaf_v1"`
	SharedAddress *string `json:"shared_address"`
}

// stateFile resolves a file name from identity.json inside the state
// directory: names are [a-z0-9.-]+ without "..", so none escapes it.
func stateFile(dir, name string) (string, error) {
	ok := name != "" && !bytes.Contains([]byte(name), []byte(".."))
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
	}
	if !ok {
		return "", &core.Error{Kind: core.Corrupt, Message: "invalid server identity file name"}
	}
	return filepath.Join(dir, name), nil
}

// writeGeneration stores one generation of identity material under a new
// random name, "<kind>-<16 hex>.pem", and returns the name.
func writeGeneration(dir, kind string, data []byte) (string, error) {
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", &core.Error{Kind: core.Internal, Message: "failed to prepare server identity", Err: err}
	}
	name := kind + "-" + hex.EncodeToString(nonce[:]) + ".pem"
	return name, writeNew(filepath.Join(dir, name), data)
}

// Validity of generated certificates, as 1.2.1's: the key, not the dates,
// is what clients pin.
var (
	certNotBefore = time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(4096, 1, 1, 0, 0, 0, 0, time.UTC)
)

// newCertificate issues the self-signed server certificate for key: names
// localhost, 127.0.0.1 and ::1, plus the shared address's host; critical
// CA:false, digitalSignature, serverAuth.
func newCertificate(key *ecdsa.PrivateKey, sharedAddress string) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, &core.Error{Kind: core.Internal, Message: "failed to create server certificate", Err: err}
	}
	t := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "rcgen self signed cert"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host := addressHost(sharedAddress); host != "" && host != "localhost" {
		if ip := net.ParseIP(host); ip != nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, host)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, t, t, &key.PublicKey, key)
	if err != nil {
		return nil, &core.Error{Kind: core.Internal, Message: "failed to create server certificate", Err: err}
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// addressHost is the host of a shared address ("" for none), without
// IPv6 brackets.
func addressHost(address string) string {
	if address == "" {
		return ""
	}
	u, err := url.Parse(address)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// generateIdentity makes a new P-256 key and its certificate, as PEM.
func generateIdentity(sharedAddress string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, &core.Error{Kind: core.Internal, Message: "failed to create server certificate", Err: err}
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, &core.Error{Kind: core.Internal, Message: "failed to serialize server certificate", Err: err}
	}
	certPEM, err = newCertificate(key, sharedAddress)
	if err != nil {
		return nil, nil, err
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// renewCertificate issues a new certificate for the retained key in
// keyPEM (a generated identity's).
func renewCertificate(keyPEM []byte, sharedAddress string) ([]byte, error) {
	bad := &core.Error{Kind: core.Corrupt, Message: "invalid retained server key"}
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return nil, bad
	}
	var key *ecdsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		key, _ = k.(*ecdsa.PrivateKey)
	} else if k, err := x509.ParseECPrivateKey(b.Bytes); err == nil {
		key = k
	}
	if key == nil {
		return nil, bad
	}
	return newCertificate(key, sharedAddress)
}

// CertFingerprint is the fingerprint (lowercase hex SHA-256 of the DER
// SubjectPublicKeyInfo) of the first certificate in the PEM file at path.
func CertFingerprint(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &core.Error{Kind: core.IO, Message: "failed to read certificate", Path: path, Err: err}
	}
	return pemFingerprint(b, path)
}

func pemFingerprint(b []byte, path string) (string, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return "", &core.Error{Kind: core.Usage, Message: "certificate file contains no certificate", Path: path}
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return "", &core.Error{Kind: core.Usage, Message: "invalid certificate PEM", Path: path, Err: err}
		}
		sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
		return hex.EncodeToString(sum[:]), nil
	}
}

// validateTLSFiles checks that cert and key are a PEM certificate chain
// and its private key.
func validateTLSFiles(certPEM, keyPEM []byte, path string) error {
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return &core.Error{Kind: core.Usage, Message: "invalid TLS certificate or key", Path: path, Err: err}
	}
	return nil
}

func readOwnerFile(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &core.Error{Kind: core.IO, Message: "failed to read owner " + what, Path: path, Err: err}
	}
	return b, nil
}

func strptr(s string) *string { return &s }
