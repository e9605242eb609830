package bridge

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
)

// The forwarding benchmarks (make bench): b.N messages through the bridge
// against the same messages published directly with the same client and
// the same bound on publishes in flight, each against a fresh embedded
// JetStream server; msg/s is reported for both.

const benchPayload = `{"level":"info","msg":"request served","status":200,"ms":12}`

func BenchmarkForwardOut(b *testing.B) {
	url := startServer(b)
	_, js := client(b, url)
	s := createStream(b, js, "B", "b")
	pool, path := createPool(b, 256<<20)
	var batch core.Batch
	for i := 0; i < b.N; i++ {
		batch.AddJSON([]byte(benchPayload), []string{"web"})
		if batch.Len() == 1000 || i == b.N-1 {
			if _, err := pool.AppendBatch(&batch, core.Fast, nil); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	stop := runLib(Out, Options{Pool: path, Target: Target{Servers: url, Stream: "B", Subject: "b"}})
	waitFor(b, 10*time.Minute, "every message in the stream", func() bool {
		info, err := s.Info(context.Background())
		return err == nil && info.State.Msgs == uint64(b.N)
	})
	el := time.Since(start)
	b.StopTimer()
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "msg/s")
}

// BenchmarkDirectPublish publishes what the bridge would (the same data
// and headers) straight from memory, with async publishes bounded the same
// way: the ceiling the bridge is measured against.
func BenchmarkDirectPublish(b *testing.B) {
	url := startServer(b)
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024+16), jetstream.WithPublishAsyncTimeout(ackTimeout))
	createStream(b, js, "B", "b")
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	slots := make(chan jetstream.PubAckFuture, 1024)
	done := make(chan error, 1)
	go func() {
		for f := range slots {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 1; i <= b.N; i++ {
		seq := strconv.Itoa(i)
		m := &nats.Msg{Subject: "b", Data: []byte(benchPayload), Header: nats.Header{
			HeaderMsgID: {"bench:" + seq}, HeaderSeq: {seq}, HeaderTime: {time.Now().UTC().Format(time.RFC3339Nano)},
			HeaderSource: {"bench"}, HeaderTag: {"web"}}}
		f, err := js.PublishMsgAsync(m)
		if err != nil {
			b.Fatal(err)
		}
		slots <- f
	}
	close(slots)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "msg/s")
}

// BenchmarkForwardIn: b.N stream messages appended to a pool by In.
func BenchmarkForwardIn(b *testing.B) {
	url := startServer(b)
	_, js := client(b, url)
	createStream(b, js, "B", "b")
	for i := 0; i < b.N; i++ {
		m := &nats.Msg{Subject: "b", Data: []byte(benchPayload), Header: nats.Header{HeaderTag: {"web"}}}
		if _, err := js.PublishMsgAsync(m); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			<-js.PublishAsyncComplete()
		}
	}
	<-js.PublishAsyncComplete()
	pool, path := createPool(b, 256<<20)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	stop := runLib(In, Options{Pool: path, Target: Target{Servers: url, Stream: "B", Subject: "b"}})
	waitFor(b, 10*time.Minute, "every message in the pool", func() bool { return pool.Bounds().Newest == uint64(b.N) })
	el := time.Since(start)
	b.StopTimer()
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "msg/s")
}
