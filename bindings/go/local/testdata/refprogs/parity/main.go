// Prints what the binding returns for a range of payloads and failures, with
// append times masked, so that its output under the reference binding and
// under this one can be compared line by line.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/sandover/plasmite/bindings/go/api"
	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

var times = regexp.MustCompile(`"time":"[^"]*"`)

func show(label string, raw []byte, err error) {
	if err != nil {
		fmt.Printf("%s: error %s\n", label, describe(err))
		return
	}
	fmt.Printf("%s: %s\n", label, times.ReplaceAll(raw, []byte(`"time":"T"`)))
}

func describe(err error) string {
	var perr *plasmite.Error
	switch {
	case errors.As(err, &perr):
		s := fmt.Sprintf("kind=%d path=%t msg=%q", perr.Kind, perr.Path != "", perr.Message)
		if perr.Seq != nil {
			s += fmt.Sprintf(" seq=%d", *perr.Seq)
		}
		return s
	case errors.Is(err, plasmite.ErrClosed):
		return "closed: " + err.Error()
	case errors.Is(err, plasmite.ErrInvalidArgument):
		return "invalid: " + err.Error()
	case err == io.EOF:
		return "EOF"
	}
	return "other"
}

func main() {
	dir := os.Args[1]
	client, err := plasmite.NewClient(dir)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	pool, err := client.CreatePool(plasmite.PoolRefName("parity"), 0)
	if err != nil {
		panic(err)
	}
	for i, payload := range []string{
		`{"a":1}`,
		` {"z":[1,2.5,-0,1e300,123456789012345678901234567890],"a":{"y":null,"x":true}} `,
		`{"html":"<a href=\"x\">&amp;</a>","uni":"é\u2028\ud83d\ude00","ctl":"\u0001\t"}`,
		`{"f":[0.1,1.5e-7,100000000000000000000000,3.0,2e21]}`,
		`{"dup":1,"dup":2}`,
		`{`, `[1]`, `"s"`, ``,
	} {
		raw, err := pool.AppendJSON([]byte(payload), []string{"t", `q"`, "é"}, plasmite.DurabilityFast)
		show(fmt.Sprintf("appendjson %d", i), raw, err)
	}
	_, err = pool.AppendJSON([]byte(`{}`), nil, 7)
	show("bad durability", nil, err)
	for i, value := range []any{
		map[string]any{"sensor": "temp", "value": 23.5, "n": 42, "big": uint64(1) << 63},
		struct {
			B string `json:"b"`
			A []int  `json:"a"`
		}{"<b>", []int{3, 1}},
		[]int{1}, nil,
	} {
		m, err := pool.Append(value, nil)
		if err != nil {
			show(fmt.Sprintf("append %d", i), nil, err)
			continue
		}
		show(fmt.Sprintf("append %d", i), m.Raw, nil)
		fmt.Printf("append %d: seq=%d data=%s tags=%q nil=%t\n", i, m.Seq, m.Data, m.Tags(), m.Tags() == nil)
	}
	for _, seq := range []uint64{1, 3, 0, 999} {
		raw, err := pool.GetJSON(seq)
		show(fmt.Sprintf("get %d", seq), raw, err)
		f, err := pool.GetLite3(seq)
		if err == nil {
			fmt.Printf("lite3 %d: seq=%d flags=%d len=%d\n", seq, f.Seq, f.Flags, len(f.Payload))
		} else {
			show(fmt.Sprintf("lite3 %d", seq), nil, err)
		}
	}
	_, err = pool.AppendLite3([]byte{1, 2, 3}, plasmite.DurabilityFast)
	show("lite3 garbage", nil, err)
	_, err = pool.AppendLite3(nil, plasmite.DurabilityFast)
	show("lite3 empty", nil, err)
	_, err = client.CreatePool(plasmite.PoolRefName("parity"), 0)
	show("create existing", nil, err)
	_, err = client.CreatePool(plasmite.PoolRefName("tiny"), 10)
	show("create tiny", nil, err)
	_, err = client.OpenPool(plasmite.PoolRefPath(filepath.Join(dir, "missing.plasmite")))
	show("open missing", nil, err)
	_, err = client.OpenPool("")
	show("open empty", nil, err)

	timeout := uint64(0)
	stream, err := pool.OpenStream(nil, nil, &timeout)
	if err != nil {
		panic(err)
	}
	_, err = stream.NextJSON()
	show("stream timeout 0", nil, err)
	stream.Close()
	_, err = stream.NextJSON()
	show("stream closed", nil, err)
	var s api.Stream = stream
	_ = s

	pool.Close()
	_, err = pool.Get(1)
	show("pool closed", nil, err)
	client.Close()
	_, err = client.OpenPool("parity")
	show("client closed", nil, err)
}
