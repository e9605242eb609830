// The reference cookbook's Go recipes: tagged producers on the default
// client, and a tag-filtered consumer (its pool directory comes from HOME).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

func main() {
	c, _ := plasmite.NewDefaultClient()
	p, _ := c.Pool(plasmite.PoolRefName("telemetry"), 0)
	p.Append(map[string]any{"sensor": "temp", "value": 42100}, []string{"sensor"}, plasmite.WithDurability(plasmite.DurabilityFast))
	p.Append(map[string]any{"service": "api", "sha": "f4e5d6c"}, []string{"deploy"}, plasmite.WithDurability(plasmite.DurabilityFast))
	p.Append(map[string]any{"service": "api", "msg": "latency spike"}, []string{"alert"}, plasmite.WithDurability(plasmite.DurabilityFast))
	p.Close()
	c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c, _ = plasmite.NewDefaultClient()
	p, _ = c.OpenPool(plasmite.PoolRefName("telemetry"))
	out, errs := p.Tail(ctx, plasmite.TailOptions{Tags: []string{"alert"}, Timeout: 5 * time.Second})
	for msg := range out {
		fmt.Println(msg.Seq, msg.Tags(), string(msg.Data))
	}
	if err := <-errs; err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Fatal(err)
	}
	p.Close()
	c.Close()
}
