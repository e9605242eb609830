"use strict";
// Waiting never blocks the event loop: 1,000 idle tails in one process cost
// no thread each and leave timers on time; aborts and closes end waits.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { ErrorKind } = require("..");
const { freshPool } = require("./helpers");

const TAILS = 1000;

function threads() {
  return fs.readdirSync("/proc/self/task").length;
}

/** Lateness (ms) of n successive 5 ms timers. */
async function timerLateness(n) {
  const late = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, 5));
    late.push(Number(process.hrtime.bigint() - start) / 1e6 - 5);
  }
  late.sort((a, b) => a - b);
  return { p50: late[Math.floor(n / 2)], p99: late[Math.floor(n * 0.99)], max: late[n - 1] };
}

const fmt = (l) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`;

test(`${TAILS} idle tails: no thread each, timers on time, one append wakes them all`, { skip: process.platform !== "linux" && "counts threads in /proc" }, async (t) => {
  const { pool } = freshPool(t);
  const baseline = await timerLateness(100);
  const before = threads();
  const controller = new AbortController();
  require("node:events").setMaxListeners(TAILS + 10, controller.signal);
  const iterators = [];
  const firsts = [];
  for (let i = 0; i < TAILS; i++) {
    const it = pool.tail({ sinceSeq: 1, signal: controller.signal })[Symbol.asyncIterator]();
    iterators.push(it);
    firsts.push(it.next());
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let every tail reach its wait
  const idle = await timerLateness(200);
  const during = threads();
  const cpu0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const idleCpu = process.cpuUsage(cpu0);

  const appendedAt = process.hrtime.bigint();
  pool.append({ wake: true });
  const results = await Promise.all(firsts);
  const wakeMs = Number(process.hrtime.bigint() - appendedAt) / 1e6;
  assert.ok(results.every((r) => !r.done && r.value.data.wake === true));

  const pending = iterators.map((it) => it.next());
  controller.abort();
  const settled = await Promise.allSettled(pending);
  assert.ok(settled.every((s) => s.status === "rejected" && s.reason.name === "AbortError"));

  t.diagnostic(`timer lateness without tails: ${fmt(baseline)}`);
  t.diagnostic(`timer lateness with ${TAILS} idle tails: ${fmt(idle)}`);
  t.diagnostic(`threads: ${before} before, ${during} with ${TAILS} idle tails`);
  t.diagnostic(`CPU over 200 ms idle: ${((idleCpu.user + idleCpu.system) / 1000).toFixed(1)} ms`);
  t.diagnostic(`one append woke all ${TAILS} tails in ${wakeMs.toFixed(1)} ms`);
  // Loose bounds: a shared, loaded machine delays timers on its own.
  assert.ok(during - before < 32, `threads grew from ${before} to ${during}`);
  assert.ok(idle.p50 < 20, `timer p50 lateness ${idle.p50} ms`);
  assert.ok((idleCpu.user + idleCpu.system) / 1000 < 100, "idle tails used CPU");
});

test("a tail reading a long backlog lets timers run", async (t) => {
  const { pool } = freshPool(t, "backlog", 64 * 1024 * 1024);
  for (let i = 0; i < 100000; i += 1000) pool.appendBatch(Array.from({ length: 1000 }, (_, j) => ({ i: i + j })));
  const n = pool.info().metrics.message_count;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = Date.now();
  let count = 0;
  for await (const m of pool.tail({ maxMessages: n, timeoutMs: 100 })) {
    count += m.data.i >= 0 ? 1 : 0;
  }
  clearInterval(timer);
  const ms = Date.now() - started;
  t.diagnostic(`read ${count} messages in ${ms} ms; a 5 ms interval fired ${ticks} times meanwhile`);
  assert.equal(count, n);
  assert.ok(ticks >= Math.floor(ms / 5 / 10), `interval fired ${ticks} times in ${ms} ms`);
});

test("aborts: tail, nextJsonAsync, nextAsync reject with the signal's reason", async (t) => {
  const { pool } = freshPool(t);
  const reason = new Error("stop now");
  const c1 = new AbortController();
  const tail = pool.tail({ sinceSeq: 1, signal: c1.signal }).next();
  setTimeout(() => c1.abort(reason), 10);
  await assert.rejects(tail, (err) => err === reason);

  const c2 = new AbortController();
  const s = pool.openStream(1);
  const next = s.nextJsonAsync({ signal: c2.signal });
  setTimeout(() => c2.abort(), 10);
  await assert.rejects(next, (err) => err.name === "AbortError");
  pool.append({ after: "abort" });
  assert.equal(JSON.parse(await s.nextJsonAsync()).data.after, "abort"); // the stream goes on
  s.close();

  const l = pool.openLite3Stream(5);
  await assert.rejects(l.nextAsync({ signal: AbortSignal.abort() }), (err) => err.name === "AbortError");
  l.close();
  await assert.rejects(pool.tail({ signal: AbortSignal.abort() }).next(), (err) => err.name === "AbortError");

  const c3 = new AbortController();
  const timed = pool.tail({ sinceSeq: 2, signal: AbortSignal.any ? AbortSignal.any([c3.signal, AbortSignal.timeout(20)]) : AbortSignal.timeout(20) }).next();
  await assert.rejects(timed, (err) => err.name === "TimeoutError" || err.name === "AbortError");
});

test("an idle process with no pending read exits (streams hold no loop reference)", async () => {
  const { spawnSync } = require("node:child_process");
  const script = `const {Client} = require(${JSON.stringify(require("node:path").join(__dirname, ".."))});
    const dir = require("fs").mkdtempSync(require("os").tmpdir() + "/pls-exit-");
    const c = new Client(dir); const p = c.createPool("x");
    const s = p.openStream(1); // open, never read
    p.append({a: 1});
    (async () => { for await (const m of p.tail({maxMessages: 1})) console.log("got", m.seq); })();`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "got 1n");
});

test("errors while waiting surface: a gap found after a wait", async (t) => {
  const { client, pool } = freshPool(t, "gapwait", 64 * 1024);
  pool.append({ seed: 1 });
  const s = pool.openStream(2, null, null, true);
  const pending = s.nextMessage();
  const writer = client.openPool("gapwait");
  setTimeout(() => {
    for (let i = 0; i < 200; i++) writer.append({ i, padding: "y".repeat(4096) });
  }, 10);
  // Either the first message arrives before the writer laps the reader, or the gap is reported.
  try {
    const m = await pending;
    assert.ok(m.seq >= 2n);
  } catch (err) {
    assert.equal(err.kind, ErrorKind.RetentionGap);
  }
  s.close();
  writer.close();
});
