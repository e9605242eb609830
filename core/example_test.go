package core_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// Create a pool, append messages, and follow it.
func Example() {
	dir, _ := os.MkdirTemp("", "plasmite-example")
	defer os.RemoveAll(dir)

	pool, err := core.Create(filepath.Join(dir, "events.plasmite"), 1<<20)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	// A follower that starts at the oldest message and waits for new ones.
	tail, err := pool.Tail(core.TailOptions{Start: core.StartOldest})
	if err != nil {
		panic(err)
	}
	defer tail.Close()

	for i := 1; i <= 3; i++ {
		data := fmt.Sprintf(`{"step":%d,"ok":true}`, i)
		if _, err := pool.AppendJSON([]byte(data), []string{"deploy"}, core.Fast); err != nil {
			panic(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		msg, err := tail.Next(ctx)
		if err != nil {
			panic(err)
		}
		text, _ := lite3.AppendDataJSON(nil, msg.Payload, jsonfmt.Compact)
		fmt.Println(msg.Seq, string(text))
	}
	fmt.Println(pool.Bounds())
	// Output:
	// 1 {"ok":true,"step":1}
	// 2 {"ok":true,"step":2}
	// 3 {"ok":true,"step":3}
	// {1 3}
}
