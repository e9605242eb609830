"use strict";
// The local API: clients, pools, appends, reads, streams, errors.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const plasmite = require("..");
const { Client, Durability, ErrorKind, Message, PlasmiteNativeError, parseMessage, DEFAULT_POOL_SIZE_BYTES } = plasmite;
const { freshPool, tempDir, fillPast } = require("./helpers");

function nativeError(fn, kind) {
  let caught;
  assert.throws(fn, (err) => {
    caught = err;
    return err instanceof PlasmiteNativeError && err.kind === kind;
  });
  return caught;
}

test("append returns the stored message; get and getJson read it back", (t) => {
  const { pool } = freshPool(t);
  const m = pool.append({ kind: "one", n: 1 }, ["a", "b"]);
  assert.ok(m instanceof Message);
  assert.equal(m.seq, 1n);
  assert.deepEqual(m.data, { kind: "one", n: 1 });
  assert.deepEqual([...m.tags], ["a", "b"]);
  assert.ok(Object.isFrozen(m.meta) && Object.isFrozen(m.meta.tags));
  assert.ok(m.time instanceof Date && Math.abs(m.time.getTime() - Date.now()) < 60_000);
  assert.match(m.timeRfc3339, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.deepEqual(JSON.parse(m.raw), { seq: 1, time: m.timeRfc3339, meta: { tags: ["a", "b"] }, data: { kind: "one", n: 1 } });

  const raw = pool.appendJson(Buffer.from('{"x": [1, 2]}'), [], Durability.Flush);
  assert.ok(Buffer.isBuffer(raw));
  assert.equal(JSON.parse(raw).seq, 2);
  assert.deepEqual(pool.get(2n).data, { x: [1, 2] });
  assert.deepEqual(pool.get(2).data, { x: [1, 2] });
  assert.equal(JSON.parse(pool.getJson(1)).data.kind, "one");
  assert.equal(pool.append({ y: 1 }, undefined, "flush").seq, 3n);
});

test("large payloads and many tags round-trip", (t) => {
  const { pool } = freshPool(t, "big", 4 * 1024 * 1024);
  const blob = "0123456789abcdef".repeat(16384);
  const tags = Array.from({ length: 50 }, (_, i) => `tag-${i}`);
  const m = pool.append({ blob, unicode: "żółw 🐢" }, tags);
  const back = pool.get(m.seq);
  assert.equal(back.data.blob, blob);
  assert.equal(back.data.unicode, "żółw 🐢");
  assert.deepEqual([...back.tags], tags);
});

test("appendBatch stores every payload in order with consecutive seqs", (t) => {
  const { pool } = freshPool(t);
  pool.append({ first: true });
  const r = pool.appendBatch([{ i: 0 }, { i: 1, s: "line\nbreak" }, { i: 2 }], ["batch"]);
  assert.deepEqual(r, { firstSeq: 2n, count: 3 });
  assert.equal(pool.get(3n).data.s, "line\nbreak");
  assert.deepEqual([...pool.get(4n).tags], ["batch"]);
  const bufs = pool.appendBatch([Buffer.from('{\n"pretty": true\n}'), { plain: 1 }]);
  assert.deepEqual(bufs, { firstSeq: 5n, count: 2 });
  assert.deepEqual(pool.get(5n).data, { pretty: true });
  assert.deepEqual(pool.appendBatch([]), { firstSeq: 0n, count: 0 });
  // one bad payload: nothing is stored
  nativeError(() => pool.appendBatch([{ ok: 1 }, Buffer.from("{nope")]), ErrorKind.Usage);
  assert.equal(pool.info().bounds.newest, 6);
  assert.throws(() => pool.appendBatch("no"), TypeError);
});

test("Lite3: get, append and stream frames as stored", (t) => {
  const { pool } = freshPool(t);
  const m = pool.append({ x: 1 }, ["l3"]);
  const frame = pool.getLite3(m.seq);
  assert.equal(frame.seq, 1n);
  assert.equal(typeof frame.timestampNs, "bigint");
  assert.equal(frame.time.getTime(), Number(frame.timestampNs / 1_000_000n));
  assert.ok(Buffer.isBuffer(frame.payload) && frame.payload.length > 0);
  const seq = pool.appendLite3(frame.payload);
  assert.equal(seq, 2n);
  assert.deepEqual(pool.get(seq).data, { x: 1 });
  assert.deepEqual(pool.getLite3(seq).payload, frame.payload);
  const stream = pool.openLite3Stream(1n, 2n, 100n);
  assert.deepEqual([...stream].map((f) => f.seq), [1n, 2n]);
  assert.equal(stream.next(), null);
  stream.close();
  nativeError(() => pool.appendLite3(Buffer.from([1])), ErrorKind.Corrupt);
  nativeError(() => pool.appendLite3(frame.payload, 7), ErrorKind.Usage);
  assert.throws(() => pool.appendLite3("text"), TypeError);
});

test("info, listPools, deletePool and client.pool", (t) => {
  const dir = tempDir(t);
  const client = new Client(dir);
  t.after(() => client.close());
  const a = client.pool("alpha");
  const again = client.pool("alpha", 2 * DEFAULT_POOL_SIZE_BYTES);
  a.append({ v: 1 });
  assert.equal(again.get(1).data.v, 1);
  const info = a.info();
  assert.equal(info.file_size, 1024 * 1024);
  assert.deepEqual(info.bounds, { oldest: 1, newest: 1 });
  assert.equal(info.path, path.join(dir, "alpha.plasmite"));
  client.createPool("beta").close();
  assert.deepEqual(client.listPools().map((p) => p.name), ["alpha", "beta"]);
  client.deletePool("beta");
  assert.deepEqual(client.listPools().map((p) => p.name), ["alpha"]);
  const e = nativeError(() => client.deletePool("beta"), ErrorKind.NotFound);
  assert.equal(e.path, path.join(dir, "beta.plasmite"));
  nativeError(() => client.createPool("alpha"), ErrorKind.AlreadyExists);
  a.close();
  again.close();
});

test("the default client uses ~/.plasmite/pools of a fresh HOME", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "plasmite-home-"));
  try {
    const script = `const {Client, DEFAULT_POOL_DIR} = require(${JSON.stringify(path.join(__dirname, ".."))});
      const c = new Client(); const p = c.pool("work"); p.append({ok: true}); p.close(); c.close();
      console.log(DEFAULT_POOL_DIR);`;
    const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, HOME: home }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), path.join(home, ".plasmite", "pools"));
    assert.ok(fs.existsSync(path.join(home, ".plasmite", "pools", "work.plasmite")));
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("errors are structured: kind, path, seq; unknown kinds become Io", (t) => {
  const { client, pool, dir } = freshPool(t);
  const missing = nativeError(() => client.openPool("missing"), ErrorKind.NotFound);
  assert.equal(missing.path, path.join(dir, "missing.plasmite"));
  assert.equal(missing.seq, undefined);
  assert.match(missing.message, /kind=NotFound/);
  assert.match(missing.message, /not found/);
  assert.ok(missing.cause instanceof Error);

  const noSeq = nativeError(() => pool.get(42), ErrorKind.NotFound);
  assert.equal(noSeq.seq, 42);
  assert.equal(noSeq.path, undefined);

  fs.writeFileSync(path.join(dir, "bad.plasmite"), "NOPE");
  const corrupt = nativeError(() => client.openPool("bad"), ErrorKind.Corrupt);
  assert.equal(corrupt.path, path.join(dir, "bad.plasmite"));

  nativeError(() => pool.appendJson(Buffer.from("{"), []), ErrorKind.Usage);
  nativeError(() => pool.appendJson("a string is JSON, not an object"), ErrorKind.Usage);
  nativeError(() => pool.append({}, [], 5), ErrorKind.Usage);
  assert.throws(() => pool.append({}, [], "sometimes"), TypeError);
  assert.throws(() => pool.append(undefined), TypeError);
  assert.throws(() => pool.append({}, ["a\0b"]), TypeError);
  assert.throws(() => client.openPool("x\0y"), TypeError);
  assert.throws(() => pool.get(-1), RangeError);
  assert.throws(() => pool.get(1n << 64n), RangeError);
  nativeError(() => pool.get((1n << 64n) - 1n), ErrorKind.NotFound);

  const fake = new plasmite.Pool({
    appendJson() {
      throw Object.assign(new Error("boom"), { kind: "toString" });
    },
  });
  nativeError(() => fake.appendJson({}), ErrorKind.Io);
  const plain = new plasmite.Pool({
    appendJson() {
      throw new RangeError("not native");
    },
  });
  assert.throws(() => plain.appendJson({}), RangeError);
});

test("closed handles fail with Usage; close is idempotent", (t) => {
  const dir = tempDir(t);
  const client = new Client(dir);
  const pool = client.createPool("c");
  const stream = pool.openStream(null, null, 10);
  pool.close();
  pool.close();
  nativeError(() => pool.append({}), ErrorKind.Usage);
  assert.equal(stream.nextJson(), null); // streams outlive their pool
  stream.close();
  stream.close();
  assert.equal(stream.nextJson(), null);
  client.close();
  const e = nativeError(() => client.createPool("d"), ErrorKind.Usage);
  assert.match(e.message, /kind=Usage/);
  client[Symbol.dispose]();
});

test("sync streams: timeout, max, for-of; bigint and number arguments", (t) => {
  const { pool } = freshPool(t);
  for (let i = 0; i < 5; i++) pool.append({ i });
  const s = pool.openStream(2, 3, 50);
  assert.deepEqual([...s].map((b) => JSON.parse(b).data.i), [1, 2, 3]);
  assert.equal(s.nextJson(), null);
  s.close();
  const started = Date.now();
  const empty = pool.openStream(9999n, 1n, 30n);
  assert.equal(empty.nextJson(), null);
  assert.ok(Date.now() - started >= 25);
  empty.close();
  const big = pool.openStream((1n << 60n), null, 10);
  assert.equal(big.nextJson(), null);
  big.close();
});

test("async streams: nextJsonAsync, nextMessage, for await, cancel, close", async (t) => {
  const { pool } = freshPool(t);
  pool.append({ i: 0 });
  const s = pool.openStream(1, null, null);
  assert.equal(JSON.parse(await s.nextJsonAsync()).data.i, 0);
  setTimeout(() => pool.append({ i: 1 }), 20);
  const m = await s.nextMessage();
  assert.equal(m.data.i, 1);
  setTimeout(() => s.cancel(), 20);
  assert.equal(await s.nextMessage(), null);
  s.close();

  const l = pool.openLite3Stream(1, 2, null);
  const seqs = [];
  for await (const f of l) seqs.push(f.seq);
  assert.deepEqual(seqs, [1n, 2n]);
  l.close();

  const waiting = pool.openStream(100);
  const pending = waiting.nextJsonAsync();
  setTimeout(() => waiting.close(), 10);
  assert.equal(await pending, null);

  const it = pool.openStream(1, null, 200);
  const got = [];
  for await (const b of it) got.push(JSON.parse(b).seq);
  assert.deepEqual(got, [1, 2]);
  it.close();
});

test("tail: tags, limits, quiet end, live messages, replay", async (t) => {
  const { pool } = freshPool(t);
  pool.append({ i: 1 }, ["drop"]);
  const keep1 = pool.append({ i: 2 }, ["keep", "x"]);
  pool.append({ i: 3 }, ["drop"]);
  pool.append({ i: 4 }, ["keep"]);
  const tailed = [];
  for await (const m of pool.tail({ tags: ["keep"], maxMessages: 2, timeoutMs: 20 })) tailed.push(m.data.i);
  assert.deepEqual(tailed, [2, 4]);
  const and = [];
  for await (const m of pool.tail({ tags: ["keep", "x"], maxMessages: 5, timeoutMs: 20 })) and.push(m.data.i);
  assert.deepEqual(and, [2]);
  const none = await pool.tail({ sinceSeq: 9999, maxMessages: 1, timeoutMs: 10 })[Symbol.asyncIterator]().next();
  assert.deepEqual(none, { done: true, value: undefined });
  assert.deepEqual(await pool.tail({ maxMessages: 0 }).next(), { done: true, value: undefined });

  setTimeout(() => pool.append({ live: true }, ["keep"]), 30);
  const live = [];
  for await (const m of pool.tail({ sinceSeq: 5, tags: ["keep"], maxMessages: 1, timeoutMs: 5000 })) live.push(m.data);
  assert.deepEqual(live, [{ live: true }]);

  const replayed = [];
  for await (const m of pool.replay({ sinceSeq: keep1.seq, maxMessages: 2, speed: 100, tags: ["keep"] })) replayed.push(m.data.i);
  assert.deepEqual(replayed, [2, 4]);
  const fromFn = [];
  for await (const m of plasmite.replay(pool, { maxMessages: 1 })) fromFn.push(m.seq);
  assert.deepEqual(fromFn, [1n]);
  await assert.rejects(pool.replay({ speed: 0 }).next(), /speed must be positive/);
  await assert.rejects(pool.tail({ maxMessages: -1 }).next(), TypeError);
});

test("gap policy: continue resumes, error fails once with the first missing seq", async (t) => {
  const { pool } = freshPool(t, "gap", 64 * 1024);
  const first = pool.append({ kind: "first" }).seq;
  fillPast(pool, first);

  const cont = await pool.tail({ sinceSeq: first, maxMessages: 1, timeoutMs: 50 }).next();
  assert.ok(cont.value.seq > first);

  const it = pool.tail({ sinceSeq: first, tags: ["never"], errorOnGap: true, timeoutMs: 50 });
  await assert.rejects(it.next(), (err) => err instanceof PlasmiteNativeError && err.kind === ErrorKind.RetentionGap && err.seq === Number(first));
  assert.equal((await it.next()).done, true);

  const s = pool.openStream(first, null, 50, true);
  const gap = nativeError(() => s.nextJson(), ErrorKind.RetentionGap);
  assert.match(gap.message, /no longer retained/);
  assert.equal(s.nextJson(), null);
  s.close();
  const l = pool.openLite3Stream(first, null, 50, true);
  await assert.rejects(l.nextAsync(), (err) => err.kind === ErrorKind.RetentionGap && err.seq === Number(first));
  assert.equal(await l.nextAsync(), null);
  l.close();
  const c = pool.openLite3Stream(first, 1, 50);
  assert.ok(c.next().seq > first);
  c.close();
});

test("parseMessage and Message keep u64 seqs exact", () => {
  const big = "18446744073709551615";
  const m = parseMessage(Buffer.from(`{"seq":${big},"time":"2026-01-01T00:00:00Z","meta":{"tags":["a"]},"data":{"seq":${big}}}`));
  assert.equal(m.seq, 18446744073709551615n);
  assert.equal(m.raw.toString().includes(big), true);
  assert.equal(parseMessage(`{"data":{},"meta":{"tags":[]},"seq":9007199254740993,"time":"2026-01-01T00:00:00Z"}`).seq, 9007199254740993n);
  assert.equal(parseMessage(Buffer.from('{"seq":1e3,"time":"2026-01-01T00:00:00Z","data":null}')).seq, 1000n);
  assert.throws(() => parseMessage(Buffer.from('{"seq":18446744073709551616,"time":"2026-01-01T00:00:00Z","data":null}')), RangeError);
  assert.throws(() => parseMessage(Buffer.from('{"seq":1.5,"time":"2026-01-01T00:00:00Z","data":null}')), TypeError);
  assert.throws(() => parseMessage({ seq: 2 ** 53 + 2, time: "2026-01-01T00:00:00Z" }), TypeError);
  assert.throws(() => parseMessage({ seq: 1, time: "yesterday" }), TypeError);
  assert.throws(() => parseMessage(42), TypeError);
  const o = parseMessage({ seq: "9007199254740993", time: "2026-02-18T00:00:00Z", data: { ok: true }, meta: { tags: ["x"] } });
  assert.equal(o.seq, 9007199254740993n);
  assert.equal(JSON.parse(o.raw).seq, "9007199254740993");
  assert.equal(parseMessage(o), o);
});
