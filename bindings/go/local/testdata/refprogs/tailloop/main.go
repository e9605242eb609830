// A consumer written for the reference binding: it checkpoints a gap-aware
// tail, tells a retention gap from other errors, and drains a finite stream,
// through the api package's interfaces.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sandover/plasmite/bindings/go/api"
	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

func produce(pool api.Pool, n int) error {
	for i := 0; i < n; i++ {
		if _, err := pool.AppendJSON([]byte(fmt.Sprintf(`{"i":%d}`, i)), []string{"job"}, api.DurabilityFast); err != nil {
			return err
		}
	}
	return nil
}

func consume(pool api.Pool, checkpoint uint64, want int) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	messages, errs := pool.Tail(ctx, plasmite.TailOptions{SinceSeq: &checkpoint, ErrorOnGap: true, Buffer: 8})
	handled := 0
	for message := range messages {
		checkpoint = message.Seq + 1
		if handled++; handled == want {
			cancel()
			break
		}
	}
	err := <-errs
	var perr *plasmite.Error
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return checkpoint, nil
	case errors.As(err, &perr) && perr.Kind == plasmite.ErrorRetentionGap:
		return checkpoint, fmt.Errorf("lost messages from %d: %w", *perr.Seq, err)
	}
	return checkpoint, err
}

func main() {
	client, err := plasmite.NewClient(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer client.Close()
	var pool api.Pool
	if pool, err = client.Pool(plasmite.PoolRefName("jobs"), 0); err != nil {
		panic(err)
	}
	defer pool.Close()
	if err := produce(pool, 5); err != nil {
		panic(err)
	}
	next, err := consume(pool, 1, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println("checkpoint", next)

	timeout := uint64(50)
	var stream api.Stream
	if stream, err = pool.OpenStream(&next, nil, &timeout); err != nil {
		panic(err)
	}
	defer stream.Close()
	for {
		raw, err := stream.NextJSON()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		m, err := api.DecodeMessage(raw)
		if err != nil {
			panic(err)
		}
		fmt.Println(m.Seq, m.Meta.Tags, string(m.Data))
	}
	if _, err := pool.AppendJSON(nil, nil, api.DurabilityFast); !errors.Is(err, plasmite.ErrInvalidArgument) {
		panic(err)
	}
	pool.Close()
	if _, err := pool.Get(1); !errors.Is(err, plasmite.ErrClosed) {
		panic(err)
	}
	fmt.Println("closed")
}
