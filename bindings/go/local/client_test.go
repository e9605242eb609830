package local_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

func TestNewClientNeedsADirectory(t *testing.T) {
	if _, err := plasmite.NewClient(""); !errors.Is(err, plasmite.ErrInvalidArgument) {
		t.Fatalf("NewClient(\"\"): %v, want ErrInvalidArgument", err)
	}
}

func TestDefaultPoolDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got, want := plasmite.DefaultPoolDir(), filepath.Join(home, ".plasmite", "pools"); got != want {
		t.Errorf("DefaultPoolDir() = %q, want %q", got, want)
	}
	c, err := plasmite.NewDefaultClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.CreatePool(plasmite.PoolRefName("d"), 0)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := os.Stat(filepath.Join(home, ".plasmite", "pools", "d.plasmite")); err != nil {
		t.Errorf("default client did not create its pool under HOME: %v", err)
	}
	t.Setenv("HOME", "")
	if got, want := plasmite.DefaultPoolDir(), filepath.Join(os.TempDir(), "plasmite", "pools"); got != want {
		t.Errorf("DefaultPoolDir() without HOME = %q, want %q", got, want)
	}
}

func TestCreatePool(t *testing.T) {
	c, dir := newClient(t)
	p, err := c.CreatePool(plasmite.PoolRefName("events"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := os.Stat(filepath.Join(dir, "events.plasmite"))
	if err != nil || st.Size() != int64(api.DefaultPoolSizeBytes) {
		t.Fatalf("size 0 must create a 1 MiB pool in the (new) directory: %v, %v", st, err)
	}
	_, err = c.CreatePool(plasmite.PoolRefName("events.plasmite"), 0)
	wantKind(t, err, plasmite.ErrorAlreadyExists)
	_, err = c.CreatePool(plasmite.PoolRefName("tiny"), 100)
	wantKind(t, err, plasmite.ErrorUsage)
	if _, err := c.CreatePool(plasmite.PoolRefName(""), 0); !errors.Is(err, plasmite.ErrInvalidArgument) {
		t.Errorf("empty ref: %v, want ErrInvalidArgument", err)
	}
	path := filepath.Join(t.TempDir(), "sub", "by-path.plasmite")
	q, err := c.CreatePool(plasmite.PoolRefPath(path), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if st, err := os.Stat(path); err != nil || st.Size() != 64<<10 {
		t.Errorf("pool by path: %v, %v", st, err)
	}
}

func TestOpenPool(t *testing.T) {
	c, dir := newClient(t)
	_, err := c.OpenPool(plasmite.PoolRefName("missing"))
	if e := wantKind(t, err, plasmite.ErrorNotFound); !strings.HasSuffix(e.Path, "missing.plasmite") {
		t.Errorf("not-found error path %q", e.Path)
	}
	if _, err := c.OpenPool(""); !errors.Is(err, plasmite.ErrInvalidArgument) {
		t.Errorf("empty ref: %v, want ErrInvalidArgument", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.plasmite"), make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = c.OpenPool(plasmite.PoolRefName("junk"))
	wantKind(t, err, plasmite.ErrorCorrupt)

	w := newPool(t, c, "shared")
	m := mustAppend(t, w, map[string]any{"n": 1})
	r, err := c.OpenPool(plasmite.PoolRefPath(filepath.Join(dir, "shared.plasmite")))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.Get(m.Seq); err != nil || string(got.Raw) != string(m.Raw) {
		t.Errorf("second handle reads %v, %v", got, err)
	}
}

func TestPoolOpensOrCreates(t *testing.T) {
	c, dir := newClient(t)
	first, err := c.Pool(plasmite.PoolRefName("work"), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := c.Pool(plasmite.PoolRefName("work"), 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	m := mustAppend(t, first, map[string]any{"kind": "created"}, "alpha")
	got, err := second.Get(m.Seq)
	if err != nil || decode(t, got.Data)["kind"] != "created" {
		t.Fatalf("second handle: %v, %v", got, err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "work.plasmite")); st.Size() != 64<<10 {
		t.Errorf("reopening changed the size to %d", st.Size())
	}
	_, err = c.Pool(plasmite.PoolRefName("small"), 10)
	wantKind(t, err, plasmite.ErrorUsage)
}

func TestRefSchemes(t *testing.T) {
	c, _ := newClient(t)
	// http(s) refs reach the remote client (remote_test.go): a server that
	// is not there is Io, https:// without an access key Permission.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/events"
	ln.Close()
	for ref, kind := range map[string]plasmite.ErrorKind{down: plasmite.ErrorIO, "HTTPS://example.com/events": plasmite.ErrorPermission} {
		for _, open := range []func() (api.Pool, error){
			func() (api.Pool, error) { return c.OpenPool(plasmite.PoolRefURI(ref)) },
			func() (api.Pool, error) { return c.CreatePool(plasmite.PoolRefURI(ref), 0) },
			func() (api.Pool, error) { return c.Pool(plasmite.PoolRefURI(ref), 0) },
		} {
			_, err := open()
			wantKind(t, err, kind)
		}
	}
	_, err = c.OpenPool(plasmite.PoolRefURI("udp://127.0.0.1:9701/events"))
	if e := wantKind(t, err, plasmite.ErrorUsage); !strings.Contains(e.Message, "unsupported scheme") {
		t.Errorf("udp ref: %q", e.Message)
	}
}

func TestClientClose(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "kept")
	c.Close()
	c.Close()
	for _, err := range []error{
		second(c.CreatePool(plasmite.PoolRefName("x"), 0)),
		second(c.OpenPool(plasmite.PoolRefName("kept"))),
		second(c.Pool(plasmite.PoolRefName("kept"), 0)),
	} {
		if !errors.Is(err, plasmite.ErrClosed) || !strings.Contains(err.Error(), "client is closed") {
			t.Errorf("call on a closed client: %v", err)
		}
	}
	if _, err := p.Append(map[string]any{"still": "open"}, nil); err != nil {
		t.Errorf("a pool must outlive its client: %v", err)
	}
	var zero plasmite.Client
	if _, err := zero.OpenPool("x"); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("zero client: %v", err)
	}
	var none *plasmite.Client
	none.Close()
	if _, err := none.OpenPool("x"); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("nil client: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
