"use strict";
// Streams read many envelopes per library call: what tail, replay and the
// stream methods hand out is still exactly what get and getJson return, in
// order, once each, however the reads are mixed.
const test = require("node:test");
const assert = require("node:assert/strict");
const native = require("../native");
const { EnvelopeReader, messageFromText } = require("../message");
const { freshPool } = require("./helpers");

const samples = [
  { a: 1 },
  { s: "żółw 🐢 \u2028 \ud83d\ude00 ascii after", n: -1.5e-7 },
  { b: 2, a: [{ y: 1, x: "é" }] },
  { "🐢": "key beyond the BMP", plain: "x".repeat(300) },
];
const tagSets = [[], ["a"], ["a"], ["é", "🐢"], ["q\"\n"], ["a"]];

function fill(pool, n) {
  const seqs = [];
  for (let i = 0; i < n; i++) {
    seqs.push(pool.append({ i, ...samples[i % samples.length] }, tagSets[i % tagSets.length]).seq);
  }
  return seqs;
}

test("tail and nextMessage give what get gives, over multi-byte text and changing tags", async (t) => {
  const { pool } = freshPool(t, "tail", 8 * 1024 * 1024);
  const seqs = fill(pool, 1500);
  const got = [];
  for await (const m of pool.tail({ maxMessages: 1500, timeoutMs: 200 })) got.push(m);
  assert.deepEqual(got.map((m) => m.seq), seqs);
  for (const m of got) {
    const back = pool.get(m.seq);
    assert.deepStrictEqual(m, back);
    assert.ok(m.raw.equals(pool.getJson(m.seq)));
    assert.ok(Object.isFrozen(m.meta) && Object.isFrozen(m.meta.tags));
  }
  const tagged = [];
  for await (const m of pool.tail({ tags: ["🐢"], maxMessages: 1000, timeoutMs: 100 })) tagged.push(m.data.i);
  assert.deepEqual(tagged, seqs.map((_, i) => i).filter((i) => i % tagSets.length === 3));
  const replayed = [];
  for await (const m of pool.replay({ sinceSeq: 700, maxMessages: 5, speed: 1e9 })) replayed.push(m);
  assert.deepEqual(replayed.map((m) => m.seq), [700n, 701n, 702n, 703n, 704n]);
  for (const m of replayed) {
    const back = pool.get(m.seq);
    assert.equal(back.time.getTime(), m.time.getTime()); // replay has read it: make both alike
    assert.deepStrictEqual(m, back);
  }
});

test("mixed reads of one stream keep the order and lose nothing", async (t) => {
  const { pool } = freshPool(t, "mixed", 8 * 1024 * 1024);
  const seqs = fill(pool, 1200);
  const s = pool.openStream(1, 1100, null);
  const out = [];
  for (let i = 0; ; i++) {
    let seq;
    if (i % 3 === 0) {
      const m = await s.nextMessage();
      if (m === null) break;
      assert.deepStrictEqual(m, pool.get(m.seq));
      seq = m.seq;
    } else if (i % 3 === 1) {
      const b = await s.nextJsonAsync();
      if (b === null) break;
      assert.ok(b.equals(pool.getJson(JSON.parse(b).seq)));
      seq = BigInt(JSON.parse(b).seq);
    } else {
      const b = s.nextJson();
      if (b === null) break;
      seq = BigInt(JSON.parse(b).seq);
    }
    out.push(seq);
  }
  assert.deepEqual(out, seqs.slice(0, 1100)); // the stream's maxMessages
  s.close();

  const c = pool.openStream(1, null, null);
  assert.equal((await c.nextMessage()).seq, 1n); // and many more already taken
  c.cancel();
  assert.equal(await c.nextMessage(), null);
  assert.equal(c.nextJson(), null);
  c.close();
  const d = pool.openStream(1, null, null);
  assert.equal(JSON.parse(await d.nextJsonAsync()).seq, 1);
  d.close();
  assert.equal(await d.nextJsonAsync(), null);
  const all = [];
  for await (const b of pool.openStream(1100, 101, 60000)) all.push(JSON.parse(b).seq);
  assert.deepEqual(all, seqs.slice(1099).map(Number));
});

test("an envelope of another shape is still read whole", () => {
  const texts = [
    '{"seq":1,"time":"2026-01-01T00:00:00Z","meta":{"tags":["a"]},"data":{"x":1}}',
    '{"data":{"y":[2]},"meta":{"tags":[]},"seq":2,"time":"2026-01-01T00:00:01.5Z"}',
  ];
  const text = texts.join("\n") + "\n";
  const fields = new Uint32Array(2 * native.BATCH_FIELDS);
  const { F, FLAG_SHAPED, BATCH_FIELDS } = native;
  const k = BATCH_FIELDS;
  Object.assign(fields, { [F.START]: 0, [F.END]: texts[0].length, [F.FLAGS]: FLAG_SHAPED });
  fields[F.TIME] = texts[0].indexOf("2026");
  fields[F.TIME_END] = texts[0].indexOf('","meta');
  fields[F.TAGS] = texts[0].indexOf('["a"]');
  fields[F.TAGS_END] = fields[F.TAGS] + 5;
  fields[F.DATA] = texts[0].indexOf('{"x"');
  fields[k + F.START] = texts[0].length + 1;
  fields[k + F.END] = texts[0].length + 1 + texts[1].length;
  const reader = new EnvelopeReader(native);
  reader.reset({ text, n: 2, fields, seqs: new BigUint64Array([1n, 0n]) });
  assert.deepStrictEqual(reader.nextMessage(), messageFromText(texts[0]));
  assert.ok(reader.pending);
  assert.deepStrictEqual(reader.nextMessage(), messageFromText(texts[1]));
  assert.equal(reader.pending, false);
});

test("a message kept from a stream does not keep its batch of envelopes in memory", async (t) => {
  const v8 = require("node:v8");
  const vm = require("node:vm");
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const { pool } = freshPool(t, "keep", 32 * 1024 * 1024);
  const batch = Array.from({ length: 1000 }, (_, i) => ({ i, pad: "p".repeat(500) }));
  for (let i = 0; i < 20; i++) pool.appendBatch(batch, ["k"]);
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = [];
  let n = 0;
  for await (const m of pool.tail({ maxMessages: 20000, timeoutMs: 5000 })) {
    if (n++ % 250 === 0) kept.push(m);
  }
  const s = pool.openStream(1, 20000, 60000); // a deadline, not a quiet time: ample
  for (let b; (b = await s.nextJsonAsync()) !== null; ) {
    if (n++ % 250 === 0) kept.push(b);
  }
  s.close();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(kept.length, 160);
  assert.ok(grown < 4 * 1024 * 1024, `160 kept messages hold ${grown} bytes`);
});
