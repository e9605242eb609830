package local_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

// The envelope has the C ABI's key order, which the reference binding
// returns.
var envelopeShape = regexp.MustCompile(`^\{"seq":(\d+),"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z)","meta":\{"tags":(\[.*\])\},"data":(\{.*\})\}$`)

func TestAppendJSON(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "json")
	before := time.Now()
	env, err := p.AppendJSON([]byte(` {"z":1,"a":[true,null,2.5],"s":"<&>"} `), []string{"one", `q"uote`}, plasmite.DurabilityFlush)
	if err != nil {
		t.Fatal(err)
	}
	sub := envelopeShape.FindSubmatch(env)
	if sub == nil {
		t.Fatalf("envelope %s", env)
	}
	if string(sub[1]) != "1" || string(sub[4]) != `["one","q\"uote"]` || string(sub[5]) != `{"a":[true,null,2.5],"s":"<&>","z":1}` {
		t.Errorf("envelope %s", env)
	}
	at, err := time.Parse(time.RFC3339Nano, string(sub[2]))
	if err != nil || at.Before(before.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("append time %s (%v)", sub[2], err)
	}
	got, err := p.GetJSON(1)
	if err != nil || !bytes.Equal(got, env) {
		t.Errorf("GetJSON = %s, %v; want the append's envelope %s", got, err, env)
	}

	if _, err := p.AppendJSON(nil, nil, plasmite.DurabilityFast); !errors.Is(err, plasmite.ErrInvalidArgument) {
		t.Errorf("empty payload: %v", err)
	}
	for _, bad := range []string{`{`, `[1,2]`, `"text"`, `{"a":1}x`} {
		_, err := p.AppendJSON([]byte(bad), nil, plasmite.DurabilityFast)
		wantKind(t, err, plasmite.ErrorUsage)
	}
	_, err = p.AppendJSON([]byte(`{}`), nil, 7)
	wantKind(t, err, plasmite.ErrorUsage)
	_, err = p.AppendJSON([]byte(`{"big":"`+strings.Repeat("x", 2<<20)+`"}`), nil, plasmite.DurabilityFast)
	wantKind(t, err, plasmite.ErrorUsage)
	if n, _ := p.Get(2); n != nil {
		t.Errorf("a failed append stored message %s", n.Raw)
	}
}

func TestAppend(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "values")
	type reading struct {
		Sensor string  `json:"sensor"`
		Value  float64 `json:"value"`
		Note   string  `json:"note,omitempty"`
	}
	m, err := p.Append(reading{Sensor: "temp", Value: 23.5}, []string{"metrics"}, plasmite.WithDurability(plasmite.DurabilityFlush))
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != 1 || string(m.Data) != `{"sensor":"temp","value":23.5}` || !reflect.DeepEqual(m.Tags(), []string{"metrics"}) {
		t.Errorf("message %+v", m)
	}
	if m.Time.Location() != time.UTC || m.Time.Format(time.RFC3339Nano) != m.TimeRFC3339 {
		t.Errorf("time %v vs text %q", m.Time, m.TimeRFC3339)
	}
	if got, err := p.GetJSON(m.Seq); err != nil || !bytes.Equal(got, m.Raw) {
		t.Errorf("Raw %s differs from the stored envelope %s (%v)", m.Raw, got, err)
	}
	none := mustAppend(t, p, map[string]any{})
	if none.Meta.Tags == nil || len(none.Meta.Tags) != 0 || string(none.Data) != "{}" {
		t.Errorf("no tags must be an empty list: %#v, data %s", none.Meta.Tags, none.Data)
	}

	for _, bad := range []any{[]int{1}, "text", 3, nil} {
		_, err := p.Append(bad, nil)
		wantKind(t, err, plasmite.ErrorUsage)
	}
	_, err = p.Append(map[string]any{"c": make(chan int)}, nil)
	var ute *json.UnsupportedTypeError
	if !errors.As(err, &ute) || !strings.HasPrefix(err.Error(), "plasmite: marshal payload: ") {
		t.Errorf("unencodable value: %v", err)
	}
	_, err = p.Append(map[string]any{}, nil, plasmite.WithDurability(9))
	wantKind(t, err, plasmite.ErrorUsage)
}

// Appending and reading a 64 KiB payload with several tags.
func TestAppendGetLargePayload(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "big")
	blob := strings.Repeat("x", 64<<10)
	tags := []string{"alpha", "beta", "gamma"}
	m, err := p.Append(map[string]any{"blob": blob}, tags)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Get(m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, got.Data)["blob"] != blob || !reflect.DeepEqual(got.Tags(), tags) {
		t.Errorf("large payload did not round-trip")
	}
}

// A Message built by the binding equals what api.DecodeMessage makes of its
// own Raw, for payloads and tags that stress the envelope's layout.
func TestMessagesMatchDecodeMessage(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "decode")
	rnd := rand.New(rand.NewSource(1))
	pieces := []string{`]},"data":`, `"`, `\`, "é", "\u2028", "<", "}", "x", " ", "\x01"}
	word := func() string {
		var b strings.Builder
		for i := rnd.Intn(5); i >= 0; i-- {
			b.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		return b.String()
	}
	for i := 0; i < 200; i++ {
		tags := make([]string, rnd.Intn(4))
		for j := range tags {
			tags[j] = word()
		}
		value := map[string]any{word(): word(), "n": rnd.Float64() * 1e6, "i": i, "nested": map[string]any{word(): []any{word(), nil}}}
		appended, err := p.Append(value, tags)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Get(appended.Seq)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []*api.Message{appended, got} {
			want, err := api.DecodeMessage(m.Raw)
			if err != nil {
				t.Fatalf("%s: %v", m.Raw, err)
			}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("message\n %#v\nwant\n %#v", m, want)
			}
		}
	}
}

func TestLite3AppendGet(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "lite3")
	m := mustAppend(t, p, map[string]any{"x": 1}, "alpha")
	seed, err := p.GetLite3(m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if seed.Seq != m.Seq || !seed.Time().Equal(m.Time) || len(seed.Payload) == 0 {
		t.Errorf("frame %+v vs message %+v", seed, m)
	}
	seq, err := p.AppendLite3(seed.Payload, plasmite.DurabilityFlush)
	if err != nil || seq != 2 {
		t.Fatalf("AppendLite3: %d, %v", seq, err)
	}
	again, err := p.GetLite3(seq)
	if err != nil || !bytes.Equal(again.Payload, seed.Payload) {
		t.Fatalf("GetLite3: %v", err)
	}
	copied, err := p.Get(seq)
	if err != nil || string(copied.Data) != `{"x":1}` || !reflect.DeepEqual(copied.Tags(), []string{"alpha"}) {
		t.Errorf("the Lite3 copy reads %v, %v", copied, err)
	}
	_, err = p.AppendLite3([]byte{1, 2, 3}, plasmite.DurabilityFast)
	wantKind(t, err, plasmite.ErrorCorrupt)
	_, err = p.AppendLite3(seed.Payload, 5)
	wantKind(t, err, plasmite.ErrorUsage)
	if _, err := p.AppendLite3(nil, plasmite.DurabilityFast); !errors.Is(err, plasmite.ErrInvalidArgument) {
		t.Errorf("empty Lite3 payload: %v", err)
	}
}

func TestGetMissing(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "gets")
	mustAppend(t, p, map[string]any{"n": 1})
	for _, get := range []func(uint64) error{
		func(s uint64) error { return second(p.GetJSON(s)) },
		func(s uint64) error { return second(p.Get(s)) },
		func(s uint64) error { return second(p.GetLite3(s)) },
	} {
		for _, seq := range []uint64{0, 2, 1 << 40} {
			e := wantKind(t, get(seq), plasmite.ErrorNotFound)
			if e.Seq == nil || *e.Seq != seq {
				t.Errorf("not-found error for %d carries seq %v", seq, e.Seq)
			}
		}
	}
	first := mustAppend(t, p, map[string]any{"n": 2})
	fillPast(t, p, first.Seq)
	_, err := p.Get(first.Seq)
	wantKind(t, err, plasmite.ErrorNotFound)
}

func TestPoolClose(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "closing")
	m := mustAppend(t, p, map[string]any{"n": 1})
	stream, err := p.OpenStream(nil, nil, u64(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	p.Close()
	p.Close()
	for name, err := range map[string]error{
		"AppendJSON":      second(p.AppendJSON([]byte(`{}`), nil, plasmite.DurabilityFast)),
		"Append":          second(p.Append(map[string]any{}, nil)),
		"AppendLite3":     second(p.AppendLite3([]byte{1}, plasmite.DurabilityFast)),
		"GetJSON":         second(p.GetJSON(m.Seq)),
		"Get":             second(p.Get(m.Seq)),
		"GetLite3":        second(p.GetLite3(m.Seq)),
		"OpenStream":      second(p.OpenStream(nil, nil, nil)),
		"OpenLite3Stream": second(p.OpenLite3Stream(nil, nil, nil)),
		"Tail":            <-second2(p.Tail(t.Context(), plasmite.TailOptions{})),
		"TailLite3":       <-second2(p.TailLite3(t.Context(), plasmite.TailOptions{})),
		"Replay":          <-second2(p.Replay(t.Context(), plasmite.ReplayOptions{})),
	} {
		if !errors.Is(err, plasmite.ErrClosed) || !strings.Contains(err.Error(), "pool is closed") {
			t.Errorf("%s on a closed pool: %v", name, err)
		}
	}
	raw, err := stream.NextJSON()
	if err != nil || !bytes.Equal(raw, m.Raw) {
		t.Errorf("a stream must outlive its pool: %s, %v", raw, err)
	}
	var zero plasmite.Pool
	if _, err := zero.Get(1); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("zero pool: %v", err)
	}
	zero.Close()
	var none *plasmite.Pool
	none.Close()
	if _, err := none.AppendJSON([]byte(`{}`), nil, 0); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("nil pool: %v", err)
	}
}

func second2[T any](_ T, errs <-chan error) <-chan error { return errs }

func ExampleClient_Pool() {
	dir, _ := osTempDir()
	defer removeAll(dir)
	client, err := plasmite.NewClient(dir)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	pool, err := client.Pool(plasmite.PoolRefName("docs"), 64*1024*1024) // created
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	msg, err := pool.Append(map[string]any{"kind": "note", "text": "hi"}, []string{"note"},
		plasmite.WithDurability(plasmite.DurabilityFast))
	if err != nil {
		panic(err)
	}
	same, err := client.Pool(plasmite.PoolRefName("docs"), 0) // opened
	if err != nil {
		panic(err)
	}
	defer same.Close()
	fetched, err := same.Get(msg.Seq)
	if err != nil {
		panic(err)
	}
	fmt.Println(fetched.Seq, fetched.Tags(), string(fetched.Data))
	_, err = client.OpenPool(plasmite.PoolRefName("missing"))
	var perr *plasmite.Error
	fmt.Println(errors.As(err, &perr) && perr.Kind == plasmite.ErrorNotFound)
	// Output:
	// 1 [note] {"kind":"note","text":"hi"}
	// true
}
