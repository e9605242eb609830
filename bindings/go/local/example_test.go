package local_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

// The README's first steps: a client on a pool directory, a 1 MiB pool, one
// append.
func Example() {
	dir, err := os.MkdirTemp("", "plasmite-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	client, err := plasmite.NewClient(dir)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	pool, err := client.CreatePool(plasmite.PoolRefName("events"), 1024*1024)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	msg, err := pool.Append(map[string]any{"sensor": "temp", "value": 23.5}, nil,
		plasmite.WithDurability(plasmite.DurabilityFast))
	if err != nil {
		panic(err)
	}
	fmt.Println(msg.Seq, msg.Tags(), string(msg.Data))
	// Output: 1 [] {"sensor":"temp","value":23.5}
}

// A tail loop: messages tagged "alert", from the first one on, until two
// have arrived.
func ExamplePool_Tail() {
	dir, err := os.MkdirTemp("", "plasmite-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	client, err := plasmite.NewClient(dir)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	pool, err := client.Pool(plasmite.PoolRefName("telemetry"), 0) // open or create
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	go func() { // a producer
		for i, tag := range []string{"sensor", "alert", "deploy", "alert"} {
			if _, err := pool.Append(map[string]any{"i": i}, []string{tag}); err != nil {
				panic(err)
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, two := uint64(1), uint64(2)
	messages, errs := pool.Tail(ctx, plasmite.TailOptions{
		SinceSeq:    &first,
		MaxMessages: &two,
		Tags:        []string{"alert"},
	})
	for msg := range messages {
		fmt.Println(msg.Seq, msg.Tags(), string(msg.Data))
	}
	if err := <-errs; err != nil && !errors.Is(err, context.Canceled) {
		panic(err)
	}
	// Output:
	// 2 [alert] {"i":1}
	// 4 [alert] {"i":3}
}
