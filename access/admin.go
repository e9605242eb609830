package access

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// Status is GET /v0/access/status: what the local administration page and
// `access invite` learn about the running server.
type Status struct {
	Addresses         []Address `json:"addresses"`
	NextAction        *string   `json:"next_action"`
	PoolDir           string    `json:"pool_dir"`
	PoolDirIdentity   []byte    `json:"-"`
	Ready             bool      `json:"ready"`
	ServerFingerprint string    `json:"server_fingerprint"`
	SharedAddress     *string   `json:"shared_address"`
}

// MarshalJSON writes pool_dir_identity as 1.2.1 does: the canonical path's
// bytes as an array of numbers.
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	ids := make([]int, len(s.PoolDirIdentity))
	for i, b := range s.PoolDirIdentity {
		ids[i] = int(b)
	}
	return json.Marshal(struct {
		plain
		PoolDirIdentity []int `json:"pool_dir_identity"`
	}{plain(s), ids})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Status) UnmarshalJSON(b []byte) error {
	type plain Status
	var v struct {
		plain
		PoolDirIdentity []int `json:"pool_dir_identity"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Status(v.plain)
	s.PoolDirIdentity = make([]byte, len(v.PoolDirIdentity))
	for i, n := range v.PoolDirIdentity {
		s.PoolDirIdentity[i] = byte(n)
	}
	return nil
}

// PoolDirIdentity is the canonical form of a pool directory's path (its
// absolute path with symbolic links resolved): two programs on one host
// compare it to know they mean the same directory.
func PoolDirIdentity(dir string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, &core.Error{Kind: core.IO, Message: "failed to resolve pool directory", Path: dir, Err: err}
	}
	return []byte(abs), nil
}

// Admin is the client of the local administration routes of the server
// running on a pool directory: how `access invite|keys|revoke` reach it,
// whichever implementation runs it.
type Admin struct {
	base        string
	fingerprint string
	http        *http.Client
}

var errNoServer = &core.Error{Kind: core.IO, Message: "no running server owns this pool directory",
	Hint: "Start `plasmite serve` for this directory, then run the command again."}

var errNotOwner = &core.Error{Kind: core.Permission, Message: "local server does not own the selected pool directory"}

// DialAdmin finds the server of poolDir (DIR/.plasmite-serve/local.json,
// which must name a loopback address, and the identity's fingerprint) and
// checks that the server listening there owns poolDir. Errors: IO with a
// hint to start the server when none answers; Permission when another
// directory's server answers.
func DialAdmin(ctx context.Context, poolDir string) (*Admin, error) {
	addr, err := LocalAddress(poolDir)
	if err != nil {
		if core.KindOf(err) == core.IO {
			return nil, errNoServer
		}
		return nil, err
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, &core.Error{Kind: core.Corrupt, Message: "invalid saved local listener address"}
	}
	fp, err := SavedFingerprint(poolDir)
	if err != nil {
		return nil, err
	}
	a := &Admin{base: "http://" + addr, fingerprint: fp, http: &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	st, err := a.Status(ctx)
	if err != nil {
		if core.KindOf(err) == core.IO {
			return nil, errNoServer
		}
		return nil, err
	}
	want, err := PoolDirIdentity(poolDir)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(want, st.PoolDirIdentity) || st.ServerFingerprint != fp {
		return nil, errNotOwner
	}
	return a, nil
}

// Fingerprint is the server identity's fingerprint.
func (a *Admin) Fingerprint() string { return a.fingerprint }

func (a *Admin) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return &core.Error{Kind: core.Internal, Message: "invalid request", Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("x-plasmite-server-fingerprint", a.fingerprint)
	resp, err := a.http.Do(req)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to reach the local server", Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to read the local server's answer", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return wire.ParseError(resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &core.Error{Kind: core.Internal, Message: "invalid response json", Err: err}
	}
	return nil
}

// Status asks GET /v0/access/status.
func (a *Admin) Status(ctx context.Context) (Status, error) {
	var st Status
	err := a.call(ctx, "GET", "/v0/access/status", nil, &st)
	return st, err
}

// Invite asks the server for a new key named name and returns its text,
// to be shown once.
func (a *Admin) Invite(ctx context.Context, name string) (string, error) {
	var out struct {
		AccessKey string `json:"access_key"`
	}
	err := a.call(ctx, "POST", "/v0/access/invite", map[string]string{"name": name, "server_fingerprint": a.fingerprint}, &out)
	return out.AccessKey, err
}

// Keys lists the server's keys.
func (a *Admin) Keys(ctx context.Context) ([]KeySummary, error) {
	var out struct {
		Keys []KeySummary `json:"keys"`
	}
	err := a.call(ctx, "GET", "/v0/access/keys", nil, &out)
	return out.Keys, err
}

// Revoke revokes the key with id.
func (a *Admin) Revoke(ctx context.Context, id string) error {
	var out struct {
		Revoked bool `json:"revoked"`
	}
	return a.call(ctx, "POST", "/v0/access/revoke", map[string]string{"id": id, "server_fingerprint": a.fingerprint}, &out)
}
