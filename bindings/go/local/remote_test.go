package local_test

import (
	"path"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
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
