package local_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Interop with the reference release's CLI (1.2.1): each reads the pools
// the other writes.

// refEnvelope is a message as the reference CLI prints it.
type refEnvelope struct {
	Seq  uint64          `json:"seq"`
	Time string          `json:"time"`
	Meta api.MessageMeta `json:"meta"`
	Data json.RawMessage `json:"data"`
}

func refRun(t *testing.T, input []byte, args ...string) []byte {
	t.Helper()
	out, errb, code := reftest.RunInput(t, input, args...)
	if code != 0 {
		t.Fatalf("reference %v: exit %d: %s", args, code, errb)
	}
	return out
}

// refMessages returns every retained message of pool as the reference reads it.
func refMessages(t *testing.T, dir, pool string) []refEnvelope {
	t.Helper()
	out := refRun(t, nil, "follow", "--dir", dir, pool, "--no-follow", "--format", "json")
	var msgs []refEnvelope
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var m refEnvelope
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("reference line %s: %v", line, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// sameMessage checks a message read here against the reference's reading:
// same seq, time, tags and data bytes (both render the stored document the
// same way).
func sameMessage(t *testing.T, got *api.Message, want refEnvelope) {
	t.Helper()
	wantTime, err := time.Parse(time.RFC3339Nano, want.Time)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != want.Seq || !got.Time.Equal(wantTime) || got.TimeRFC3339 != want.Time ||
		!reflect.DeepEqual(got.Tags(), want.Meta.Tags) || !bytes.Equal(got.Data, want.Data) {
		t.Errorf("message here  %s\nreference reads seq %d time %s tags %q data %s", got.Raw, want.Seq, want.Time, want.Meta.Tags, want.Data)
	}
}

// Sample data that exercises the encoder: floats in both notations, -0,
// big integers, escapes, non-ASCII, nesting, HTML characters.
var interopValues = []string{
	`{"sensor":"temp-01","value":23.5,"unit":"C","ok":true,"count":1234,"site":{"room":"lab","floor":2}}`,
	`{"f":[0.1,1e-7,1.5e300,-0.0,100000000000000000000000,3.0],"i":[-9223372036854775808,9223372036854775807]}`,
	`{"s":"é\u2028😀 \"q\" \\ <a>&</a>","empty":{},"list":[[],[{}],null]}`,
}

func TestInteropReferenceReadsBindingPools(t *testing.T) {
	reftest.Bin(t)
	c, dir := newClient(t)
	p := newPool(t, c, "ours")
	var written []*api.Message
	for i, v := range interopValues {
		m, err := p.Append(json.RawMessage(v), []string{"interop", fmt.Sprint("n", i)})
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, m)
	}
	env, err := p.AppendJSON([]byte(interopValues[0]), nil, plasmite.DurabilityFlush)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := api.DecodeMessage(env)
	written = append(written, m)
	frame, err := p.GetLite3(1)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := p.AppendLite3(frame.Payload, plasmite.DurabilityFast)
	if err != nil {
		t.Fatal(err)
	}
	m, _ = p.Get(seq)
	written = append(written, m)

	theirs := refMessages(t, dir, "ours")
	if len(theirs) != len(written) {
		t.Fatalf("the reference reads %d messages, %d written", len(theirs), len(written))
	}
	for i, w := range written {
		sameMessage(t, w, theirs[i])
	}
	// The reference's fetch agrees on a single message too.
	var one refEnvelope
	if err := json.Unmarshal(refRun(t, nil, "fetch", "--dir", dir, "ours", "2", "--format", "json"), &one); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, written[1], one)
}

func TestInteropBindingReadsReferencePools(t *testing.T) {
	reftest.Bin(t)
	c, dir := newClient(t)
	refRun(t, nil, "pool", "create", "--dir", dir, "--size", "1M", "theirs")
	refRun(t, []byte(strings.Join(interopValues, "\n")+"\n"), "feed", "--dir", dir, "theirs", "--tag", "ref", "--tag", "x")
	refRun(t, nil, "feed", "--dir", dir, "theirs", `{"last":true}`, "--tag", "ref")
	want := refMessages(t, dir, "theirs")
	if len(want) != len(interopValues)+1 {
		t.Fatalf("reference wrote %d messages", len(want))
	}

	p, err := c.OpenPool(plasmite.PoolRefName("theirs"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, w := range want {
		got, err := p.Get(w.Seq)
		if err != nil {
			t.Fatal(err)
		}
		sameMessage(t, got, w)
	}
	tail, err := drain(p.Tail(t.Context(), plasmite.TailOptions{Tags: []string{"x", "ref"}, MaxMessages: u64(uint64(len(interopValues)))}))
	if err != nil || len(tail) != len(interopValues) {
		t.Fatalf("tagged tail: %d messages, %v", len(tail), err)
	}
	for i, m := range tail {
		sameMessage(t, m, want[i])
	}
	s, err := p.OpenLite3Stream(u64(2), u64(1), u64(10_000))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := s.Next()
	if err != nil || f.Seq != 2 || f.TimestampNs != uint64(tail[1].Time.UnixNano()) {
		t.Fatalf("Lite3 stream: %+v, %v", f, err)
	}
}

// A binding tail follows the reference's appends from another process, and
// the reference's follower sees the binding's appends.
func TestInteropLive(t *testing.T) {
	reftest.Bin(t)
	c, dir := newClient(t)
	p := newPool(t, c, "live")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, errs := p.Tail(ctx, plasmite.TailOptions{MaxMessages: u64(3)})
	refRun(t, []byte("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"), "feed", "--dir", dir, "live")
	got, err := drain(out, errs)
	if err != nil || len(got) != 3 || string(got[2].Data) != `{"n":3}` {
		t.Fatalf("binding tail of reference appends: %v, %v", got, err)
	}

	// --tail 100 finds the message whether it was appended before the
	// follower started or after.
	cmd := reftest.Command(t, "follow", "--dir", dir, "live", "--tail", "100", "--tag", "from-go", "--one", "--format", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	m := mustAppend(t, p, map[string]any{"hello": "reference"}, "from-go")
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("reference follower: %v", err)
	}
	var seen refEnvelope
	if err := json.Unmarshal(line, &seen); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, m, seen)
	if err := cmd.Wait(); err != nil {
		t.Errorf("reference follower: %v", err)
	}
}
