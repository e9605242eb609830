// A program using the package's types; `tsc --noEmit -p test/types` must accept it
// (it is type-checked, not run).
import {
  Client,
  Durability,
  ErrorKind,
  Lite3Frame,
  Message,
  PlasmiteNativeError,
  RemoteClient,
  RemoteError,
  UdpStart,
  parseMessage,
  replay,
} from "../../types";

async function main(): Promise<void> {
  const client = new Client("/tmp/pools");
  const pool = client.pool("demo", 1024n * 1024n);
  const m: Message = pool.append({ hello: "world" }, ["greeting"], Durability.Flush);
  const seq: bigint = m.seq;
  const when: Date = m.time;
  const tags: readonly string[] = m.tags;
  const raw: Buffer = pool.appendJson(Buffer.from("{}"), [], "fast");
  const batch = pool.appendBatch([{ i: 1 }, { i: 2 }], ["b"]);
  const first: bigint = batch.firstSeq;
  const lite: Lite3Frame = pool.getLite3(seq);
  const next: bigint = pool.appendLite3(lite.payload);
  const info = pool.info();
  const newest: number | undefined = info.bounds.newest;

  const controller = new AbortController();
  for await (const message of pool.tail({ sinceSeq: seq, tags: ["greeting"], signal: controller.signal })) {
    const data = message.data as { hello: string };
    console.log(data.hello);
    break;
  }
  for await (const message of replay(pool, { speed: 2, maxMessages: 1 })) {
    console.log(message.timeRfc3339);
  }

  const stream = pool.openStream(seq, 10, 100, true);
  const syncNext: Buffer | null = stream.nextJson();
  const asyncNext: Buffer | null = await stream.nextJsonAsync({ signal: controller.signal });
  const asMessage: Message | null = await stream.nextMessage();
  for await (const bytes of stream) {
    parseMessage(bytes);
  }
  stream.close();
  using lite3 = pool.openLite3Stream(null, null, 50);
  const frame: Lite3Frame | null = await lite3.nextAsync();

  try {
    client.openPool("missing");
  } catch (err) {
    if (err instanceof PlasmiteNativeError && err.kind === ErrorKind.NotFound) {
      const where: string | undefined = err.path;
      console.log(where);
    }
  }

  const remote = new RemoteClient("http://127.0.0.1:9700");
  const remotePool = await remote.openPool("demo");
  const appended: Message = await remotePool.append({ ok: true }, ["x"], Durability.Fast);
  for await (const message of remotePool.tail({ sinceSeq: appended.seq, maxMessages: 1, timeoutMs: 100 })) {
    console.log(message.seq + 1n);
  }
  const pools = await remote.listPools();
  console.log(pools.map((p) => p.name), (await remote.poolInfo("demo")).metrics?.message_count);
  try {
    await remote.deletePool("missing");
  } catch (err) {
    if (err instanceof RemoteError) console.log(err.status, err.kind, err.hint);
  }
  const start = UdpStart.sequence(1n);
  console.log(start.kind, first, next, newest, when, tags, raw, syncNext, asyncNext, asMessage, frame);
  pool.close();
  client.close();
}

void main();
