package serve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
)

// serve init creates the identity once and issues named keys; with a
// server running it issues them through the server, which accepts them at
// once.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pools")
	ctx := context.Background()
	first, err := Init(ctx, InitOptions{Dir: dir, Server: "https://pools.example.net:9000"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := access.ParseKey(first.AccessKey)
	if err != nil || !first.CreatedIdentity || first.ServerRunning || first.Name != DefaultKeyName ||
		k.PinHex() != first.Fingerprint || first.ConnectCommand != "pls access connect https://pools.example.net:9000" {
		t.Fatalf("first init: %+v %v", first, err)
	}
	again, err := Init(ctx, InitOptions{Dir: dir, Name: "laptop"})
	if err != nil || again.CreatedIdentity || again.Fingerprint != first.Fingerprint || *again.SharedAddress != "https://pools.example.net:9000" {
		t.Fatalf("second init: %+v %v", again, err)
	}
	if _, err := Init(ctx, InitOptions{Dir: dir, Name: "\x01"}); core.KindOf(err) != core.Usage {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := Init(ctx, InitOptions{Dir: dir, Server: "http://x"}); core.KindOf(err) != core.Usage {
		t.Fatalf("bad SERVER: %v", err)
	}
}

func TestInitWithRunningServer(t *testing.T) {
	dir, _, _, stderr := testServer(t)
	res, err := Init(context.Background(), InitOptions{Dir: dir, Name: "desk"})
	if err != nil || !res.ServerRunning || res.CreatedIdentity {
		t.Fatalf("init: %+v %v", res, err)
	}
	a, _ := access.DialAdmin(context.Background(), dir)
	keys, _ := a.Keys(context.Background())
	if len(keys) != 1 || keys[0].Name != "desk" {
		t.Fatalf("keys: %+v", keys)
	}
	k, _ := access.ParseKey(res.AccessKey)
	if strings.Contains(stderr.String(), k.SecretHex()) {
		t.Fatal("the secret is in the server's output")
	}
}
