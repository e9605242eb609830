package local_test

import (
	"context"
	"net/http/httptest"
	"path"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
)

// fakeRemote serves "http://host/<name>" refs from pool files in a
// directory, standing in for the remote client.
type fakeRemote struct {
	dir  backend.Dir
	refs []string
}

func (f *fakeRemote) Create(ref string, size uint64) (backend.Pool, error) {
	f.refs = append(f.refs, ref)
	return f.dir.Create(path.Base(ref), size)
}

func (f *fakeRemote) Open(ref string) (backend.Pool, error) {
	f.refs = append(f.refs, ref)
	return f.dir.Open(path.Base(ref))
}

// A remote backend plugs in behind the same handles: http(s) refs go to
// backend.Remote, and every handle rule (closing, tails, streams) applies.
func TestRemoteBackendSeam(t *testing.T) {
	fake := &fakeRemote{dir: backend.Dir(t.TempDir())}
	saved := backend.Remote
	backend.Remote = fake
	defer func() { backend.Remote = saved }()

	c, _ := newClient(t)
	ref := plasmite.PoolRefURI("http://127.0.0.1:9700/events")
	p, err := c.Pool(ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m := mustAppend(t, p, map[string]any{"over": "http"}, "remote")
	got, err := drain(p.Tail(t.Context(), plasmite.TailOptions{Tags: []string{"remote"}, MaxMessages: u64(1)}))
	if err != nil || len(got) != 1 || string(got[0].Raw) != string(m.Raw) {
		t.Fatalf("tail through the remote seam: %v, %v", got, err)
	}
	if len(fake.refs) != 2 || fake.refs[0] != string(ref) {
		t.Errorf("the remote backend was asked for %q (open, then create)", fake.refs)
	}
	local := newPool(t, c, "events")
	if _, err := local.Get(m.Seq); kindOf(err) != plasmite.ErrorNotFound {
		t.Errorf("a remote ref must not reach the client's own directory: %v", err)
	}
}

// servers returns the base URLs of the servers a remote test runs against:
// ours (the server package on a loopback listener) and the reference
// release's `serve` process, each over a directory of its own.
func servers(t *testing.T) map[string]string {
	t.Helper()
	s, err := server.New(t.TempDir(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ref, _ := reftest.Serve(t, reftest.Bin(t), t.TempDir())
	return map[string]string{"ours": srv.URL, "reference": ref}
}

// A pool on a server works through the same handles as a pool file:
// create, append, get in every form, tails with tags, since and max, and
// the errors of a missing pool.
func TestRemotePoolsOnRealServers(t *testing.T) {
	for name, base := range servers(t) {
		t.Run(name, func(t *testing.T) {
			c, _ := newClient(t)
			ref := plasmite.PoolRefURI(base + "/events")
			p, err := c.CreatePool(ref, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			first := mustAppend(t, p, map[string]any{"n": 1, "big": uint64(1) << 63}, "a")
			second := mustAppend(t, p, map[string]any{"n": 2}, "b")
			if first.Seq != 1 || second.Seq != 2 || second.Meta.Tags[0] != "b" {
				t.Fatalf("appended %+v, %+v", first, second)
			}
			raw, err := p.GetJSON(1)
			if err != nil || string(raw) != string(first.Raw) {
				t.Fatalf("GetJSON(1) = %s, %v; the append returned %s", raw, err, first.Raw)
			}
			if m, err := p.Get(2); err != nil || string(m.Data) != `{"n":2}` {
				t.Fatalf("Get(2) = %+v, %v", m, err)
			}
			f, err := p.GetLite3(1)
			if err != nil || f.Seq != 1 || len(f.Payload) == 0 {
				t.Fatalf("GetLite3(1) = %+v, %v", f, err)
			}
			seq, err := p.AppendLite3(f.Payload, plasmite.DurabilityFlush)
			if err != nil || seq != 3 {
				t.Fatalf("AppendLite3 = %d, %v", seq, err)
			}
			got, err := drain(p.Tail(t.Context(), plasmite.TailOptions{Tags: []string{"a"}, MaxMessages: u64(2)}))
			if err != nil || len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 3 {
				t.Fatalf("tail tagged a: %v, %v", got, err)
			}
			got, err = drain(p.Tail(t.Context(), plasmite.TailOptions{SinceSeq: u64(2), MaxMessages: u64(1)}))
			if err != nil || len(got) != 1 || string(got[0].Raw) != string(second.Raw) {
				t.Fatalf("tail since 2: %v, %v", got, err)
			}
			// A live tail sees what is appended after it opened.
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			msgs, errs := p.Tail(ctx, plasmite.TailOptions{SinceSeq: u64(4)})
			mustAppend(t, p, map[string]any{"n": 4}, "live")
			if m := <-msgs; m == nil || m.Seq != 4 {
				t.Fatalf("live tail: %+v, %v", m, <-errs)
			}
			if _, err := p.Get(99); kindOf(err) != plasmite.ErrorNotFound {
				t.Errorf("Get(99) on a server: %v", err)
			}
			if _, err := c.OpenPool(plasmite.PoolRefURI(base + "/missing")); kindOf(err) != plasmite.ErrorNotFound {
				t.Errorf("OpenPool of a missing remote pool: %v", err)
			}
			if _, err := c.CreatePool(ref, 1<<20); kindOf(err) != plasmite.ErrorAlreadyExists {
				t.Errorf("CreatePool of an existing remote pool: %v", err)
			}
		})
	}
}

// What the remote client refuses, it refuses before any request.
func TestRemoteRefusals(t *testing.T) {
	c, _ := newClient(t)
	if _, err := c.OpenPool(plasmite.PoolRefURI("http://192.0.2.1:9700/events")); kindOf(err) != plasmite.ErrorUsage {
		t.Errorf("plain HTTP to another machine: %v", err)
	}
	if _, err := c.OpenPool(plasmite.PoolRefURI("https://127.0.0.1:9700/events")); kindOf(err) != plasmite.ErrorPermission {
		t.Errorf("https without an access key: %v", err)
	}
	if _, err := c.OpenPool(plasmite.PoolRefURI("http://127.0.0.1:9700/a/b")); kindOf(err) != plasmite.ErrorUsage {
		t.Errorf("a ref with a path: %v", err)
	}
}
