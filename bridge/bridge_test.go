package bridge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
)

func TestParseTarget(t *testing.T) {
	good := map[string]Target{
		"nats://127.0.0.1:4222/EVENTS":           {Servers: "nats://127.0.0.1:4222", Stream: "EVENTS"},
		"nats://a:1,b:2/S/x.y":                   {Servers: "nats://a:1,nats://b:2", Stream: "S", Subject: "x.y"},
		"tls://host:4222/S/a.%3E":                {Servers: "tls://host:4222", Stream: "S", Subject: "a.>"},
		"nats://h:4222/ORDERS/orders.eu.created": {Servers: "nats://h:4222", Stream: "ORDERS", Subject: "orders.eu.created"},
	}
	for in, want := range good {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"http://h/S", "nats://h:1", "nats://h:1/", "nats:///S", "nats://u:pw@h:1/S",
		"nats://tok@h:1/S", "nats://h:1/a.b", "nats://h:1/S/a..b", "nats://a:1,,b:2/S"} {
		_, err := ParseTarget(in)
		if core.KindOf(err) != core.Usage {
			t.Errorf("ParseTarget(%q): %v, want a Usage error", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("ParseTarget(%q) error repeats the secret: %v", in, err)
		}
	}
}

func TestTagTokens(t *testing.T) {
	tags := []string{"deploy", "", "a.b", "x y", "*", ">", "100%", "é", "%41"}
	subj := []byte("ev")
	for _, tag := range tags {
		subj = appendTagToken(append(subj, '.'), tag)
	}
	if !validSubject(string(subj)) || strings.ContainsAny(string(subj), "*> ") {
		t.Fatalf("not a literal subject: %q", subj)
	}
	if got := subjectTags(string(subj), "ev"); !reflect.DeepEqual(got, tags) {
		t.Fatalf("round trip: %q -> %q -> %q", tags, subj, got)
	}
}

func TestMarker(t *testing.T) {
	if s, ok := parseMarker([]byte(marker("IN", 42)), "IN"); !ok || s != 42 {
		t.Fatal(s, ok)
	}
	for _, bad := range []string{"nats:IN:", "nats:INX:4", "nats:IN4", "nats:IN:x", "nat:IN:4", "nats:OTHER:4"} {
		if _, ok := parseMarker([]byte(bad), "IN"); ok {
			t.Errorf("parseMarker(%q) accepted", bad)
		}
	}
}

// runLib runs Out or In in a goroutine; the returned stop cancels it and
// returns its error.
// It returns once the bridge reported its start (or ended).
func runLib(run func(context.Context, Options) error, o Options) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	started := make(chan struct{})
	o.Report = func(e Event) {
		if e.Kind == "start" {
			close(started)
		}
	}
	go func() { errc <- run(ctx, o) }()
	select {
	case <-started:
	case err := <-errc:
		errc <- err
	}
	return func() error { cancel(); return <-errc }
}

// Out then In through one stream: data, tags (headers and subject tokens),
// seq and time survive; a restarted In appends nothing twice.
func TestRoundTrip(t *testing.T) {
	url := startServer(t)
	_, js := client(t, url)
	src, srcPath := createPool(t, 1<<20)
	var want []core.Message
	for i := 1; i <= 50; i++ {
		tags := []string{fmt.Sprintf("t%d", i%3)}
		if i%5 == 0 {
			tags = append(tags, "five", "a.b")
		}
		if _, err := src.AppendJSON([]byte(fmt.Sprintf(`{"i":%d,"s":"x"}`, i)), tags, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	for seq := uint64(1); seq <= 50; seq++ {
		m, _ := src.Get(seq)
		want = append(want, m)
	}
	target := Target{Servers: url, Stream: "RT", Subject: "rt"}
	stop := runLib(Out, Options{Pool: srcPath, Target: target, Create: true, SubjectTags: true})
	s, err := js.Stream(context.Background(), "RT")
	for err != nil {
		time.Sleep(10 * time.Millisecond)
		s, err = js.Stream(context.Background(), "RT")
	}
	waitFor(t, 10*time.Second, "50 messages in the stream", func() bool {
		info, err := s.Info(context.Background())
		return err == nil && info.State.Msgs == 50
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	msgs := streamMsgs(t, js, "RT")
	for i, m := range msgs {
		seq := uint64(i + 1)
		h := m.Headers()
		tags, _ := messageTags(want[i].Payload)
		if h.Get(HeaderSeq) != fmt.Sprint(seq) || !strings.HasSuffix(h.Get(HeaderMsgID), fmt.Sprintf(":%d", seq)) ||
			!reflect.DeepEqual(h.Values(HeaderTag), tags) ||
			h.Get(HeaderTime) != time.Unix(0, want[i].Time).UTC().Format(time.RFC3339Nano) ||
			string(m.Data()) != fmt.Sprintf(`{"i":%d,"s":"x"}`, seq) {
			t.Fatalf("message %d: subject %s headers %v data %s", seq, m.Subject(), h, m.Data())
		}
		if wantSubj := "rt." + strings.ReplaceAll(strings.Join(tags, "."), "a.b", "a%2Eb"); m.Subject() != wantSubj {
			t.Fatalf("message %d: subject %s, want %s", seq, m.Subject(), wantSubj)
		}
	}

	dst, dstPath := createPool(t, 1<<20)
	in := Options{Pool: dstPath, Target: Target{Servers: url, Stream: "RT"}, Tags: []string{"bridged"}, Durability: core.Flush}
	for round := 0; round < 2; round++ { // the second run finds everything in the pool already
		stop = runLib(In, in)
		waitFor(t, 10*time.Second, "50 messages in the pool", func() bool { return dst.Bounds().Newest >= 50 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	// A publish from outside the bridge: plain JSON, then non-JSON.
	nc, _ := nats.Connect(url)
	defer nc.Close()
	js.Publish(context.Background(), "rt.x", []byte(`[1,2]`))
	js.Publish(context.Background(), "rt", []byte("plain text"))
	stop = runLib(In, in)
	waitFor(t, 10*time.Second, "52 messages in the pool", func() bool { return dst.Bounds().Newest >= 52 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if b := dst.Bounds(); b.Newest != 52 {
		t.Fatalf("pool holds %d messages, want 52", b.Newest)
	}
	for seq := uint64(1); seq <= 52; seq++ {
		m, _ := dst.Get(seq)
		tags, _ := messageTags(m.Payload)
		var wantTags []string
		wantData := ""
		switch {
		case seq <= 50:
			wt, _ := messageTags(want[seq-1].Payload)
			wantTags, wantData = append(wt, "bridged"), fmt.Sprintf(`{"i":%d,"s":"x"}`, seq)
		case seq == 51:
			wantTags, wantData = []string{"bridged"}, `{"value":[1,2]}`
		default:
			wantTags, wantData = []string{"bridged"}, `{"text":"plain text"}`
		}
		wantTags = append(wantTags, marker("RT", seq))
		data := dataJSON(t, m)
		if !reflect.DeepEqual(tags, wantTags) || string(data) != wantData {
			t.Fatalf("pool message %d: tags %q data %s; want %q %s", seq, tags, data, wantTags, wantData)
		}
	}
}

// A state file is refused for a pool recreated under the same path.
func TestOutRecreatedPool(t *testing.T) {
	url := startServer(t)
	_, js := client(t, url)
	createStream(t, js, "RC", "rc")
	p, path := createPool(t, 1<<20)
	for i := 0; i < 5; i++ {
		p.AppendJSON([]byte(`{}`), nil, core.Fast)
	}
	o := Options{Pool: path, Target: Target{Servers: url, Stream: "RC", Subject: "rc"}}
	stop := runLib(Out, o)
	waitFor(t, 10*time.Second, "the state to reach seq 5", func() bool {
		st, ok, _ := loadState(StatePath(path, "RC"))
		return ok && st.Seq == 5
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	os.Remove(path)
	p2, err := core.Create(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	for i := 0; i < 7; i++ {
		p2.AppendJSON([]byte(`{}`), nil, core.Fast)
	}
	err = Out(context.Background(), o)
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Kind != core.Usage || !strings.Contains(ce.Message, "recreated") {
		t.Fatalf("Out on a recreated pool: %v, want Usage about a recreated pool", err)
	}
}

// The CLI's refusals and their exit statuses (the kind's).
func TestCLIErrors(t *testing.T) {
	url := startServer(t)
	_, path := createPool(t, 1<<20)
	pwFile := t.TempDir() + "/pw"
	os.WriteFile(pwFile, []byte("hunter2\n"), 0o600)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{path, url + "/NOPE"}, 3, "cannot open stream NOPE"},
		{[]string{path, "nats://alice:hunter2@127.0.0.1:1/S"}, 2, "credentials in the NATS URL are refused"},
		{[]string{path, "nats://127.0.0.1:1/S"}, 8, "cannot connect to NATS"},
		{[]string{path, url + "/S", "--durable", "x"}, 2, "--durable applies to bridging in"},
		{[]string{url + "/S", path, "--state", "x"}, 2, "--state applies to bridging out"},
		{[]string{path, path}, 2, "bridge needs one pool and one NATS URL"},
		{[]string{path, url + "/S", "--user", "alice"}, 2, "--user and --password-file go together"},
		{[]string{path, "nats://127.0.0.1:1/S", "--user", "alice", "--password-file", pwFile}, 8, "cannot connect"},
	} {
		cmd := exec.Command(plsBin(t), append([]string{"bridge"}, c.args...)...)
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if code != c.code || !strings.Contains(string(out), c.want) || strings.Contains(string(out), "hunter2") {
			t.Errorf("bridge %q: exit %d, output %s; want exit %d and %q", c.args, code, out, c.code, c.want)
		}
	}
}

// The --json lines are a contract for scripts: their keys per event.
func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, c := range []struct {
		e    Event
		want string
	}{
		{Event{Kind: "gap", Direction: "out", Time: at, First: 5, Last: 9},
			`{"count":5,"direction":"out","event":"gap","first":5,"last":9,"time":"2026-01-02T03:04:05.000000006Z"}`},
		{Event{Kind: "status", Direction: "out", Time: at, Forwarded: 7, Seq: 9, LagSeqs: 2, LagSeconds: 0.5, Gaps: 1, GapMessages: 5},
			`{"direction":"out","duplicates":0,"event":"status","forwarded":7,"gap_messages":5,"gaps":1,"lag_seconds":0.5,"lag_seqs":2,"seq":9,"time":"2026-01-02T03:04:05.000000006Z"}`},
		{Event{Kind: "start", Direction: "in", Time: at, Resume: 4, AckFloor: 3},
			`{"ack_floor":3,"direction":"in","duplicates":0,"event":"start","forwarded":0,"lag_seconds":0.0,"lag_seqs":0,"resume":4,"seq":0,"time":"2026-01-02T03:04:05.000000006Z"}`},
	} {
		if got := string(c.e.AppendJSON(nil)); got != c.want+"\n" {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// A stream that refuses publishes (full, discard new) holds the bridge
// back: it retries from the first refused seq and, once the stream takes
// messages again, every seq arrives once and in order. Nothing is dropped.
func TestOutStreamFull(t *testing.T) {
	url := startServer(t)
	_, js := client(t, url)
	ctx := context.Background()
	cfg := jetstream.StreamConfig{Name: "FULL", Subjects: []string{"full"}, MaxMsgs: 100, Discard: jetstream.DiscardNew}
	s, err := js.CreateStream(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, path := createPool(t, 1<<20)
	for i := 1; i <= 300; i++ {
		p.AppendJSON([]byte(fmt.Sprintf(`{"i":%d}`, i)), nil, core.Fast)
	}
	retries := make(chan struct{}, 1)
	o := Options{Pool: path, Target: Target{Servers: url, Stream: "FULL", Subject: "full"}, MaxInFlight: 16}
	ctx2, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	o.Report = func(e Event) {
		if e.Kind == "retry" {
			select {
			case retries <- struct{}{}:
			default:
			}
		}
	}
	go func() { errc <- Out(ctx2, o) }()
	select {
	case <-retries:
	case <-time.After(20 * time.Second):
		t.Fatal("the bridge never reported the refused publishes")
	}
	if info, _ := s.Info(ctx); info.State.Msgs != 100 {
		t.Fatalf("full stream holds %d messages", info.State.Msgs)
	}
	cfg.MaxMsgs = 1000
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "300 messages in the stream", func() bool {
		info, err := s.Info(ctx)
		return err == nil && info.State.Msgs >= 300
	})
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	msgs := streamMsgs(t, js, "FULL")
	if len(msgs) != 300 {
		t.Fatalf("stream holds %d messages, want 300", len(msgs))
	}
	for i, m := range msgs {
		if got := m.Headers().Get(HeaderSeq); got != fmt.Sprint(i+1) {
			t.Fatalf("stream message %d has Plasmite-Seq %s", i+1, got)
		}
	}
}
