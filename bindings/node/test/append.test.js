"use strict";
// Appends return what a read returns: the Message of append (made from the
// receipt when the JSON text is canonical) and the bytes of appendJson equal
// get and getJson, whatever the payload, the tags and the time.
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { Worker } = require("node:worker_threads");
const { Message, PlasmiteNativeError, ErrorKind } = require("..");
const { freshPool } = require("./helpers");

const payloads = [
  {},
  { id: 1234567, kind: "bench", ok: true, payload: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL" },
  { a: { b: [1, -2.5, { c: null }], d: false }, e: [], f: 1e21, g: 1.5e-7 },
  { s: 'quote " backslash \\ newline \n tab \t \u0001 \u001f \u007f żółw 🐢 \u2028' },
  { b: 1, a: 2, c: { z: 0, y: [3, 2, 1] } }, // keys out of order: stored sorted
  { x: 0.000001, y: 123456789012345680000, z: -0, big: 2 ** 63, tiny: 5e-324, third: 0.30000000000000004 },
  { 10: "ten", 9: "nine", b: "b", a: "a" },
  { __proto__: null, plain: "no prototype" },
  { when: new Date(0), nested: { toJSON: () => ({ replaced: true }) } },
  { lone: "\ud800 in data" }, // refused: lone surrogate
];

const tagLists = [undefined, null, [], ["a"], ["a", "b"], ["q\"\n\u0001", "żółw", "\u2028"], ["lone \udc00"]];

function expectSame(pool, m) {
  assert.ok(m instanceof Message);
  const back = pool.get(m.seq);
  assert.deepStrictEqual(m, back);
  assert.deepStrictEqual(Object.keys(m), Object.keys(back));
  assert.equal(JSON.stringify(m), JSON.stringify(back));
  assert.ok(m.raw.equals(pool.getJson(m.seq)), `${m.raw} != ${pool.getJson(m.seq)}`);
  assert.ok(Object.isFrozen(m.meta) && Object.isFrozen(m.meta.tags));
  assert.equal(m.time.getTime(), back.time.getTime());
}

test("append returns exactly what get returns, for any payload and tags", (t) => {
  const { pool } = freshPool(t, "same", 4 * 1024 * 1024);
  for (const tags of tagLists) {
    for (const payload of payloads) {
      let m;
      try {
        m = pool.append(payload, tags);
      } catch (err) {
        assert.ok(err instanceof PlasmiteNativeError && err.kind === ErrorKind.Usage, String(err));
        assert.match(err.message, /surrogate/);
        continue;
      }
      expectSame(pool, m);
      const raw = pool.appendJson(payload, tags);
      assert.ok(raw.equals(pool.getJson(JSON.parse(raw).seq)));
      const fromBuffer = pool.append(Buffer.from(JSON.stringify(payload)), tags);
      expectSame(pool, fromBuffer);
    }
  }
  // Texts the library stores differently from what they say: whitespace,
  // duplicate keys, escapes it does not write.
  for (const text of ['{ "b" : 1 , "a" : [ 1 , 2 ] }', '{"a":1,"a":2}', '{"s":"\\u0041\\/"}', '{"n":1.50}']) {
    expectSame(pool, pool.append(Buffer.from(text), ["t"]));
    const raw = pool.appendJson(Buffer.from(text));
    assert.ok(raw.equals(pool.getJson(JSON.parse(raw).seq)));
  }
});

test("append: times with every fraction length read back alike", (t) => {
  const { pool } = freshPool(t, "times", 4 * 1024 * 1024);
  const lengths = new Set();
  for (let i = 0; i < 3000 && lengths.size < 9; i++) {
    const m = pool.append({ i });
    expectSame(pool, m);
    lengths.add((m.timeRfc3339.split(".")[1] ?? "Z").length);
  }
  assert.ok(lengths.size >= 4, `fraction lengths seen: ${[...lengths]}`);
});

test("append: the tags given are the ones used, even in a reused and changed array", (t) => {
  const { pool } = freshPool(t);
  const tags = ["one"];
  assert.deepEqual([...pool.append({ i: 1 }, tags).tags], ["one"]);
  tags[0] = "two";
  assert.deepEqual([...pool.append({ i: 2 }, tags).tags], ["two"]);
  tags.push("three");
  const m = pool.append({ i: 3 }, tags);
  assert.deepEqual([...m.tags], ["two", "three"]);
  assert.deepEqual([...pool.get(m.seq).tags], ["two", "three"]);
  tags.length = 0;
  assert.deepEqual([...pool.append({ i: 4 }, tags).tags], []);
  assert.throws(() => pool.append({}, "tag"), { name: "TypeError", message: "tags must be an array of strings" });
  assert.throws(() => pool.append({}, [1]), { name: "TypeError", message: "tag must be a string" });
  assert.throws(() => pool.append({}, ["ok", "a\0b"]), { name: "TypeError", message: "tag must not contain NUL characters" });
  assert.throws(() => pool.appendJson({}, [undefined]), { name: "TypeError", message: "tag must be a string" });
  assert.equal(pool.info().bounds.newest, 4);
});

test("appendBatch: one stringify of the array stores what one per payload stores", (t) => {
  const { pool } = freshPool(t, "batch", 4 * 1024 * 1024);
  const batch = [
    { b: 1, a: "x" },
    { s: "\"]},{[" },
    { when: new Date(0) },
    Object.assign(Object.create(null), { n: 1 }),
  ];
  const r = pool.appendBatch(batch, ["t"]);
  assert.deepEqual(r, { firstSeq: 1n, count: 4 });
  for (let i = 0; i < batch.length; i++) {
    assert.deepEqual(pool.get(r.firstSeq + BigInt(i)).data, JSON.parse(JSON.stringify(batch[i])));
  }
  class WithToJSON {
    toJSON(key) {
      return { key };
    }
  }
  const keyed = pool.appendBatch([new WithToJSON(), new WithToJSON()]);
  assert.deepEqual(pool.get(keyed.firstSeq + 1n).data, { key: "" }); // as JSON.stringify(payload) alone
  // What a payload that is not an object does: the same error as before,
  // and nothing is stored.
  const newest = pool.info().bounds.newest;
  const notObject = [[1], 5, "s", null, new Number(3)];
  for (const bad of notObject) {
    assert.throws(
      () => pool.appendBatch([{ ok: 1 }, bad]),
      (err) => err instanceof PlasmiteNativeError && err.kind === ErrorKind.Usage,
    );
  }
  assert.throws(() => pool.appendBatch([{ ok: 1 }, undefined]), TypeError);
  assert.throws(() => pool.appendBatch([{ ok: 1 }, () => 1]), TypeError);
  // eslint-disable-next-line no-sparse-arrays
  assert.throws(() => pool.appendBatch([{ ok: 1 }, , { ok: 2 }]), (err) => err instanceof PlasmiteNativeError);
  assert.throws(() => pool.appendBatch([{ ok: 1n }]), TypeError);
  assert.throws(() => pool.appendBatch([{}], ["a\0"]), TypeError);
  assert.equal(pool.info().bounds.newest, newest);
  assert.deepEqual(pool.appendBatch([], ["t"]), { firstSeq: 0n, count: 0 });
});

test("appends from worker threads and the main thread at once", async (t) => {
  const { dir, pool } = freshPool(t, "threads", 4 * 1024 * 1024);
  const index = path.join(__dirname, "..");
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    const { Client } = require(workerData.index);
    const c = new Client(workerData.dir);
    const p = c.openPool("threads");
    for (let i = 0; i < 2000; i++) {
      const m = p.append({ w: workerData.w, i, pad: "w".repeat(i % 50) }, ["w" + workerData.w]);
      if (m.data.w !== workerData.w || m.data.i !== i) throw new Error("mixed up");
    }
    p.appendBatch(Array.from({ length: 500 }, (_, i) => ({ w: workerData.w, b: i })), ["b" + workerData.w]);
    p.close();
    c.close();
    parentPort.postMessage("done");
  `;
  const workers = [1, 2].map(
    (w) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { index, dir, w } });
        worker.on("message", resolve);
        worker.on("error", reject);
      }),
  );
  for (let i = 0; i < 2000; i++) {
    const m = pool.append({ w: 0, i, pad: "m".repeat(i % 70) }, ["main"]);
    assert.equal(m.data.i, i);
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  let count = 0;
  for await (const m of pool.tail({ maxMessages: 7000, timeoutMs: 200 })) {
    const w = m.data.w;
    assert.deepEqual([...m.tags], [w === 0 ? "main" : "b" in m.data ? `b${w}` : `w${w}`]);
    count++;
  }
  assert.equal(count, 7000);
});
