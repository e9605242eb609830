package core

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// testMsg is a Lite3 message document from the reference's encoder.
type testMsg struct {
	Name    string          `json:"name"`
	Tags    []string        `json:"tags"`
	Data    json.RawMessage `json:"data"`
	Hex     string          `json:"lite3_hex"`
	Payload []byte          `json:"-"`
}

var vectorCache map[string]testMsg

// vectors returns the message documents of testdata/messages.jsonl by name.
func vectors(t testing.TB) map[string]testMsg {
	t.Helper()
	if vectorCache != nil {
		return vectorCache
	}
	f, err := os.Open("testdata/messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]testMsg{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v testMsg
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if v.Payload, err = hex.DecodeString(v.Hex); err != nil {
			t.Fatal(err)
		}
		m[v.Name] = v
	}
	vectorCache = m
	return m
}

// doc returns a valid message document (408 bytes, no tags).
func doc(t testing.TB) []byte { return vectors(t)["empty-data"].Payload }

func tempPool(t testing.TB, size int64) *Pool {
	t.Helper()
	p, err := Create(filepath.Join(t.TempDir(), "p.plasmite"), size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// rawAppend appends arbitrary bytes, bypassing document validation.
func rawAppend(t testing.TB, p *Pool, payload []byte) Receipt {
	t.Helper()
	r, err := p.appendPayload(payload, Fast)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustStrict(t testing.TB, p *Pool) {
	t.Helper()
	if err := p.m.checkStrict(); err != nil {
		t.Fatalf("strict validation: %v", err.(*Error).Display())
	}
}

// releaseLease drops the writer lock so that other file descriptions can lock.
func releaseLease(p *Pool) {
	p.mu.Lock()
	p.lease.drop()
	p.mu.Unlock()
}

// is64 says whether an optional field is set to v.
func is64(p *uint64, v uint64) bool { return p != nil && *p == v }

// u64p32 returns a pointer to v, for CreateOptions.IndexCapacity.
func u64p32(v uint32) *uint32 { return &v }
