#!/usr/bin/env node
"use strict";
/*
 * bench.js [BUILD] — the Node binding's throughput (part of `make bench`), beside the C ABI's
 * (bindings/c/bench) and the Python binding's when bindings/python exists, in one run:
 *   append   Pool.append of the 100-byte object of the C benchmark, one tag (returns a Message)
 *   append   Pool.appendJson of the same (returns the envelope bytes)
 *   batch    Pool.appendBatch, 1000 per call
 *   tail     for await over pool.tail() of 1M retained messages (Message objects)
 *   stream   the same through Stream's for await (envelope bytes)
 * Appends go to a 64 MiB pool, as the C benchmark's do (the ring wraps: a steady state, not the
 * first touch of a fresh file's pages). Rounds are interleaved; medians are printed. Env:
 * BENCH_NODE_N (single appends, default 300000), BENCH_NODE_TAIL (default 1000000),
 * BENCH_NODE_ROUNDS (default 3).
 */

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync, spawnSync } = require("node:child_process");
const { Client } = require("..");

const root = path.resolve(__dirname, "..", "..", "..");
const build = path.resolve(root, process.argv[2] || "build");
const N = Number(process.env.BENCH_NODE_N || 300000);
const TAIL = Number(process.env.BENCH_NODE_TAIL || 1000000);
const ROUNDS = Number(process.env.BENCH_NODE_ROUNDS || 3);
const BATCH = 1000;
const APPEND_POOL = 64 * 1024 * 1024; // the C benchmark's pool size
const MSG = { id: 1234567, kind: "bench", ok: true, payload: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL" };
const TAGS = ["bench"];
if (JSON.stringify(MSG).length !== 100) throw new Error("the benchmark message must be 100 bytes");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "plasmite-node-bench-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

// Two figures per measurement: msg/s of wall time, and msg/s of CPU time (user + system of the
// whole process, Go runtime threads included), which a loaded machine disturbs less.
let cpuStart = null;
function start() {
  cpuStart = process.cpuUsage();
  return process.hrtime.bigint();
}
function rate(n, startNs) {
  const wall = Number(process.hrtime.bigint() - startNs) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return [Math.round(n / wall), Math.round(n / ((cpu.user + cpu.system) / 1e6))];
}

function freshPool(client, name, size) {
  try {
    client.deletePool(name);
  } catch {
    // first round
  }
  return client.createPool(name, size);
}

function single(client, method) {
  const pool = freshPool(client, `single-${method}`, APPEND_POOL);
  for (let i = 0; i < 10000; i++) pool[method](MSG, TAGS);
  const t = start();
  for (let i = 0; i < N; i++) pool[method](MSG, TAGS);
  const r = rate(N, t);
  pool.close();
  return r;
}

function batch(client) {
  const pool = freshPool(client, "batch", APPEND_POOL);
  const payloads = new Array(BATCH).fill(MSG);
  const total = Math.max(N, 1000000);
  const t = start();
  for (let i = 0; i < total; i += BATCH) pool.appendBatch(payloads, TAGS);
  const r = rate(total, t);
  pool.close();
  return r;
}

function tailPool(client) {
  const pool = freshPool(client, "tail", 1024 * 1024 * 1024);
  const payloads = new Array(BATCH).fill(MSG);
  for (let i = 0; i < TAIL; i += BATCH) pool.appendBatch(payloads, TAGS);
  const retained = pool.info().metrics.message_count;
  if (retained < TAIL) throw new Error(`the tail pool retains ${retained} of ${TAIL} messages`);
  return pool;
}

async function tail(pool) {
  let n = 0;
  const t = start();
  for await (const m of pool.tail({ maxMessages: TAIL, timeoutMs: 1000 })) n += m.seq > 0n ? 1 : 0;
  if (n !== TAIL) throw new Error(`tail read ${n}`);
  return rate(n, t);
}

async function stream(pool) {
  let n = 0;
  const s = pool.openStream(1, TAIL, 10000);
  const t = start();
  for await (const b of s) n += b.length > 0 ? 1 : 0;
  s.close();
  return rate(n, t);
}

function cBench() {
  const src = path.join(root, "bindings", "c", "bench", "bench.c");
  const bin = path.join(work, "cbench");
  if (!fs.existsSync(src)) return null;
  execFileSync(process.env.CC || "cc", ["-O2", "-std=c11", `-I${build}/include`, "-o", bin, src, `-L${build}/lib`, "-lplasmite", "-lpthread", `-Wl,-rpath,${build}/lib`]);
  const timer = fs.existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "cpu %U %S"] : [];
  const run = (...args) => {
    fs.rmSync(path.join(work, "cpools"), { recursive: true, force: true });
    const argv = [...timer, bin, path.join(work, "cpools"), ...args];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`C bench failed: ${r.stderr}`);
    const words = r.stdout.trim().split(/\s+/); // "<mode> <n> msgs <s> s <rate> msg/s"
    const cpu = /cpu ([0-9.]+) ([0-9.]+)/.exec(r.stderr);
    return [Number(words.at(-2)), cpu ? Math.round(Number(words[1]) / (Number(cpu[1]) + Number(cpu[2]))) : null];
  };
  const optional = (...args) => {
    try {
      return run(...args);
    } catch {
      return null; // a library without it (ABI minor < 5)
    }
  };
  return () => ({
    c_single: run(String(N), "single"),
    c_receipt: optional(String(N), "receipt"),
    c_batch: run(String(Math.max(N, 1000000)), "batch", String(BATCH)),
  });
}

// The Python binding (branch python) has the reference's API: Client(dir).create_pool(name, size),
// pool.append_json(bytes, tags, durability). Measured when it is there.
function pythonBench() {
  const pkg = path.join(root, "bindings", "python");
  if (!fs.existsSync(path.join(pkg, "plasmite"))) return null;
  const script = `
import sys, time, shutil
sys.path.insert(0, ${JSON.stringify(pkg)})
import plasmite
d = ${JSON.stringify(path.join(work, "pypools"))}
shutil.rmtree(d, ignore_errors=True)
c = plasmite.Client(d)
p = c.create_pool("single", ${APPEND_POOL})
msg = ${JSON.stringify(JSON.stringify(MSG))}.encode()
n = ${N}
for _ in range(10000): p.append_json(msg, ["bench"], plasmite.Durability.FAST)
t = time.perf_counter()
for _ in range(n): p.append_json(msg, ["bench"], plasmite.Durability.FAST)
print(round(n / (time.perf_counter() - t)))
`;
  return () => {
    try {
      const env = { ...process.env, PLASMITE_LIB_DIR: path.join(build, "lib") };
      return { py_single: [Number(execFileSync("python3", ["-c", script], { encoding: "utf8", env }).trim()), null] };
    } catch (err) {
      console.error(`python bench failed: ${err.message.split("\n")[0]}`);
      return {};
    }
  };
}

function median(values) {
  const v = values.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}

async function main() {
  const client = new Client(path.join(work, "pools"));
  const c = cBench();
  const py = pythonBench();
  const results = {};
  const add = (obj) => {
    for (const [k, v] of Object.entries(obj)) if (v !== null) (results[k] ??= []).push(v);
  };
  const tp = tailPool(client);
  for (let r = 0; r < ROUNDS; r++) {
    add({ node_append: single(client, "append"), node_append_json: single(client, "appendJson"), node_batch: batch(client) });
    add({ node_tail: await tail(tp), node_stream: await stream(tp) });
    if (c) add(c());
    if (py) add(py());
  }
  tp.close();
  client.close();
  const m = {};
  for (const [k, v] of Object.entries(results)) m[k] = [median(v.map((x) => x[0])), median(v.map((x) => x[1]))];
  const fmt = (x) => (x === null ? "-" : String(x)).padStart(10);
  const vsC = (key, c, i) => (m[key]?.[i] && m[c]?.[i] ? (m[key][i] / m[c][i]).toFixed(2) + "x" : "-").padStart(7);
  console.log(`medians of ${ROUNDS} rounds (${N} single appends, ${Math.max(N, 1000000)} batched, ${TAIL} tailed); msg/s:`);
  console.log(`${"".padEnd(46)} ${"wall".padStart(10)} ${"cpu".padStart(10)}  vs C: wall    cpu`);
  const line = (label, key, c) => {
    if (m[key]) console.log(`${label.padEnd(46)} ${fmt(m[key][0])} ${fmt(m[key][1])}  ${c ? vsC(key, c, 0) + vsC(key, c, 1) : ""}`);
  };
  line("Node Pool.append (100 B object, 1 tag)", "node_append", "c_single");
  line("Node Pool.appendJson", "node_append_json", "c_single");
  line("C    plsm_pool_append_json", "c_single");
  line("C    plsm_pool_append_json_receipt", "c_receipt");
  line("Py   Pool.append_json", "py_single", "c_single");
  line(`Node Pool.appendBatch (${BATCH} per call)`, "node_batch", "c_batch");
  line(`C    plsm_pool_append_json_batch (${BATCH}/call)`, "c_batch");
  line("Node for await pool.tail() (Message)", "node_tail");
  line("Node for await Stream (envelope Buffer)", "node_stream");
  if (!py) console.log("(no bindings/python on this branch: Python not measured)");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
