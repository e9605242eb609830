// The reference binding's documented first steps: the snippet
// (client, 1 MiB pool, one append), open-or-create, get, Lite3 get, and a
// tag-filtered tail with a timeout, a resume point and a message limit.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readme <pool-dir>")
		os.Exit(2)
	}
	client, err := plasmite.NewClient(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer client.Close()

	events, err := client.CreatePool(plasmite.PoolRefName("events"), 1024*1024)
	if err != nil {
		panic(err)
	}
	defer events.Close()
	if _, err := events.Append(map[string]any{"sensor": "temp", "value": 23.5}, nil, plasmite.WithDurability(plasmite.DurabilityFast)); err != nil {
		panic(err)
	}

	pool, err := client.Pool(plasmite.PoolRefName("docs"), 64*1024*1024)
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	msg, err := pool.Append(map[string]any{"kind": "note", "text": "hi"}, []string{"note"},
		plasmite.WithDurability(plasmite.DurabilityFlush))
	if err != nil {
		panic(err)
	}
	fmt.Println(msg.Seq, msg.Tags(), string(msg.Data))
	fetched, err := pool.Get(msg.Seq)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(fetched.Data))
	same, err := client.Pool(plasmite.PoolRefName("docs"), 0)
	if err != nil {
		panic(err)
	}
	defer same.Close()
	frame, err := same.GetLite3(msg.Seq)
	if err != nil {
		panic(err)
	}
	fmt.Println(frame.Seq, frame.Time().Equal(msg.Time))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	one := uint64(1)
	tail, errs := pool.Tail(ctx, plasmite.TailOptions{
		SinceSeq:    &msg.Seq,
		MaxMessages: &one,
		Tags:        []string{"note"},
		Timeout:     100 * time.Millisecond,
	})
	for item := range tail {
		fmt.Println(item.Seq, item.Tags(), string(item.Data))
	}
	if err := <-errs; err != nil && !errors.Is(err, context.Canceled) {
		panic(err)
	}
}
