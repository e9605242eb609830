#!/usr/bin/env node
"use strict";
/*
 * conformance.js MANIFEST — runs a cross-language conformance manifest
 * (format: shared/spec/cli.md §8) through this package. The workdir (work or
 * work-<name>, beside the manifest) is deleted, recreated and used as the
 * pool directory; steps run in order; the first failed expectation ends the
 * run with "step <index> (<id>): <reason>" on stderr and exit status 1.
 * spawn_poke runs $PLASMITE_BIN (default: the CLI bundled in native/).
 */

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { Client, ErrorKind, PlasmiteNativeError } = require("..");
const { platformDir } = require("../platform");

const TAIL_TIMEOUT_MS = 5000;

class StepError extends Error {}

function fail(index, id, reason) {
  return new StepError(`step ${index} (${id ?? "-"}): ${reason}`);
}

function attempt(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

async function attemptAsync(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error };
  }
}

/** Checks an outcome against expect: an expected error, or success. */
function checkOutcome(expect, error, index, id) {
  const want = expect?.error;
  if (!want) {
    if (error) throw fail(index, id, `unexpected error: ${error.message}`);
    return;
  }
  if (!error) throw fail(index, id, "expected an error, the operation succeeded");
  if (!(error instanceof PlasmiteNativeError)) throw fail(index, id, `expected a plasmite error, got ${error}`);
  const kind = ErrorKind[want.kind];
  if (kind === undefined) throw fail(index, id, `unknown error kind in manifest: ${want.kind}`);
  if (error.kind !== kind) throw fail(index, id, `error kind ${error.kind}, want ${kind} (${want.kind}): ${error.message}`);
  if (want.message_contains !== undefined && !error.message.includes(want.message_contains)) {
    throw fail(index, id, `error message ${JSON.stringify(error.message)} lacks ${JSON.stringify(want.message_contains)}`);
  }
  for (const [flag, field] of [["has_path", "path"], ["has_seq", "seq"], ["has_offset", "offset"]]) {
    if (want[flag] !== undefined && (error[field] !== undefined) !== want[flag]) {
      throw fail(index, id, `${field} is ${error[field] === undefined ? "absent" : "present"}, want ${flag}=${want[flag]}`);
    }
  }
}

function withPool(client, step, index, id, run) {
  const opened = attempt(() => client.openPool(requirePool(step, index, id)));
  if (opened.error) {
    checkOutcome(step.expect, opened.error, index, id);
    return undefined;
  }
  try {
    return run(opened.value);
  } finally {
    opened.value.close();
  }
}

function requirePool(step, index, id) {
  if (typeof step.pool !== "string" || !step.pool) throw fail(index, id, "missing pool");
  return step.pool;
}

function sameJson(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** Reads up to max messages from sinceSeq, waiting without blocking. */
async function readMessages(pool, sinceSeq, max) {
  const stream = pool.openStream(sinceSeq ?? null, max ?? null, TAIL_TIMEOUT_MS);
  const messages = [];
  try {
    let m;
    while ((m = await stream.nextMessage()) !== null) messages.push(m);
  } finally {
    stream.close();
  }
  return messages;
}

function cliPath() {
  if (process.env.PLASMITE_BIN) return process.env.PLASMITE_BIN;
  return path.join(__dirname, "..", "native", platformDir() ?? "none", "plasmite");
}

function runProcess(file, args) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (err) => resolve({ code: -1, stderr: err.message }));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function fillUntilGone(pool, seq) {
  for (let i = 0; i < 100000; i++) {
    pool.append({ i, padding: "x".repeat(4096) });
    const probe = attempt(() => pool.get(seq));
    if (probe.error instanceof PlasmiteNativeError && probe.error.kind === ErrorKind.NotFound) return;
    if (probe.error) throw probe.error;
  }
  throw new Error(`seq ${seq} was still retained after filling the pool`);
}

async function expectGap(read, seq, index, id, what) {
  const r = await attemptAsync(read);
  if (!(r.error instanceof PlasmiteNativeError) || r.error.kind !== ErrorKind.RetentionGap) {
    throw fail(index, id, `${what}: expected RetentionGap, got ${r.error ? r.error.message : "a message"}`);
  }
  if (BigInt(r.error.seq) !== seq) throw fail(index, id, `${what}: gap seq ${r.error.seq}, want ${seq}`);
}

const ops = {
  create_pool(client, step, index, id) {
    const size = step.input?.size_bytes ?? 1024 * 1024;
    const r = attempt(() => client.createPool(requirePool(step, index, id), BigInt(size)));
    r.value?.close();
    checkOutcome(step.expect, r.error, index, id);
  },

  append(client, step, index, id) {
    const input = step.input ?? {};
    if (input.data === undefined) throw fail(index, id, "missing input.data");
    withPool(client, step, index, id, (pool) => {
      const r = attempt(() => pool.append(input.data, input.tags ?? []));
      checkOutcome(step.expect, r.error, index, id);
      if (r.value && step.expect?.seq !== undefined && r.value.seq !== BigInt(step.expect.seq)) {
        throw fail(index, id, `seq ${r.value.seq}, want ${step.expect.seq}`);
      }
    });
  },

  get(client, step, index, id) {
    const seq = step.input?.seq;
    if (seq === undefined) throw fail(index, id, "missing input.seq");
    withPool(client, step, index, id, (pool) => {
      const r = attempt(() => pool.get(BigInt(seq)));
      checkOutcome(step.expect, r.error, index, id);
      if (!r.value) return;
      if (step.expect?.data !== undefined && !sameJson(r.value.data, step.expect.data)) {
        throw fail(index, id, `data ${JSON.stringify(r.value.data)}, want ${JSON.stringify(step.expect.data)}`);
      }
      if (step.expect?.tags !== undefined && !sameJson([...r.value.tags], step.expect.tags)) {
        throw fail(index, id, `tags ${JSON.stringify(r.value.tags)}, want ${JSON.stringify(step.expect.tags)}`);
      }
    });
  },

  async tail(client, step, index, id) {
    const expect = step.expect ?? {};
    const ordered = expect.messages;
    const unordered = expect.messages_unordered;
    if ((ordered === undefined) === (unordered === undefined)) {
      throw fail(index, id, "expect needs exactly one of messages and messages_unordered");
    }
    const want = ordered ?? unordered;
    const opened = attempt(() => client.openPool(requirePool(step, index, id)));
    if (opened.error) {
      checkOutcome(expect, opened.error, index, id);
      return;
    }
    let got;
    try {
      const since = step.input?.since_seq;
      got = await readMessages(opened.value, since === undefined ? null : BigInt(since), step.input?.max ?? want.length);
    } finally {
      opened.value.close();
    }
    for (let i = 1; i < got.length; i++) {
      if (got[i].seq <= got[i - 1].seq) throw fail(index, id, "seqs are not strictly increasing");
    }
    if (got.length !== want.length) throw fail(index, id, `got ${got.length} messages, want ${want.length}`);
    const matches = (m, w) => sameJson(m.data, w.data) && (w.tags === undefined || sameJson([...m.tags], w.tags));
    if (ordered) {
      got.forEach((m, i) => {
        if (!matches(m, ordered[i])) throw fail(index, id, `message ${i}: ${JSON.stringify(m.data)} differs from the expectation`);
      });
    } else {
      const left = [...unordered];
      for (const m of got) {
        const at = left.findIndex((w) => matches(m, w));
        if (at < 0) throw fail(index, id, `unexpected message ${JSON.stringify(m.data)}`);
        left.splice(at, 1);
      }
    }
  },

  list_pools(client, step, index, id) {
    const r = attempt(() => client.listPools().map((p) => p.name).sort());
    checkOutcome(step.expect, r.error, index, id);
    const want = step.expect?.names;
    if (r.value && want !== undefined && !sameJson(r.value, [...want].sort())) {
      throw fail(index, id, `pools ${JSON.stringify(r.value)}, want ${JSON.stringify(want)}`);
    }
  },

  pool_info(client, step, index, id) {
    withPool(client, step, index, id, (pool) => {
      const r = attempt(() => pool.info());
      checkOutcome(step.expect, r.error, index, id);
      const info = r.value;
      const e = step.expect ?? {};
      if (!info) return;
      for (const field of ["file_size", "ring_size"]) {
        if (e[field] !== undefined && info[field] !== e[field]) throw fail(index, id, `${field} ${info[field]}, want ${e[field]}`);
      }
      for (const end of ["oldest", "newest"]) {
        if (e.bounds && end in e.bounds && (info.bounds[end] ?? null) !== e.bounds[end]) {
          throw fail(index, id, `bounds.${end} ${info.bounds[end] ?? null}, want ${e.bounds[end]}`);
        }
      }
    });
  },

  delete_pool(client, step, index, id) {
    const r = attempt(() => client.deletePool(requirePool(step, index, id)));
    checkOutcome(step.expect, r.error, index, id);
  },

  async spawn_poke(client, step, index, id, workdir) {
    const pool = requirePool(step, index, id);
    const runs = (step.input?.messages ?? []).map((m) => {
      const args = ["--dir", workdir, "feed", pool, JSON.stringify(m.data)];
      for (const tag of m.tags ?? []) args.push("--tag", tag);
      return runProcess(cliPath(), args);
    });
    for (const r of await Promise.all(runs)) {
      if (r.code !== 0) throw fail(index, id, `feed exited ${r.code}: ${r.stderr.trim()}`);
    }
  },

  corrupt_pool_header(client, step, index, id) {
    const file = withPool(client, step, index, id, (pool) => pool.info().path);
    if (file === undefined) throw fail(index, id, "the pool could not be opened");
    fs.writeFileSync(file, "NOPE");
  },

  chmod_path(client, step, index, id) {
    if (process.platform === "win32") return;
    fs.chmodSync(step.input.path, parseInt(String(step.input.mode), 8));
  },

  async retention_gap(client, step, index, id) {
    const base = requirePool(step, index, id);
    const size = BigInt(step.input?.size_bytes ?? 65536);

    const stale = client.createPool(`${base}-stale`, size);
    try {
      const first = stale.append({ kind: "first" }).seq;
      fillUntilGone(stale, first);
      const continued = await readMessages(stale, first, 1);
      if (continued.length !== 1 || continued[0].seq <= first) {
        throw fail(index, id, "the continue policy did not resume past the gap");
      }
      const tail = stale.tail({ sinceSeq: first, tags: ["never"], errorOnGap: true, timeoutMs: 200 })[Symbol.asyncIterator]();
      await expectGap(() => tail.next(), first, index, id, "tagged tail");
      const after = await tail.next();
      if (!after.done) throw fail(index, id, "the tail went on after its gap error");
    } finally {
      stale.close();
    }

    const established = client.createPool(`${base}-established`, size);
    const writer = client.openPool(`${base}-established`);
    const stream = established.openStream(null, null, TAIL_TIMEOUT_MS, true);
    try {
      const seed = established.append({ kind: "seed" }).seq;
      established.append({ kind: "second" });
      const a = await stream.nextMessage();
      const b = await stream.nextMessage();
      if (a?.seq !== seed || b?.seq !== seed + 1n) throw fail(index, id, "the gap-error tail did not read seed and second");
      const missing = writer.append({ kind: "first-missing" }).seq;
      fillUntilGone(writer, missing);
      await expectGap(() => stream.nextMessage(), missing, index, id, "established tail");
      if ((await stream.nextMessage()) !== null) throw fail(index, id, "the stream went on after its gap error");
    } finally {
      stream.close();
      writer.close();
      established.close();
    }
  },
};
ops.fetch = ops.get;

async function main(argv) {
  if (argv.length !== 1) throw new Error("usage: conformance.js <manifest.json>");
  const manifestPath = path.resolve(argv[0]);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  if (manifest.conformance_version !== 0) throw new Error(`unsupported conformance_version: ${manifest.conformance_version}`);
  const workdir = manifest.workdir === undefined ? "work" : manifest.workdir;
  if (typeof workdir !== "string" || !/^work(?:-[A-Za-z0-9_-]+)?$/.test(workdir)) {
    throw new Error("workdir must be work or a work- name");
  }
  const dir = path.join(path.dirname(manifestPath), workdir);
  if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) throw new Error(`workdir must not be a symbolic link: ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  const client = new Client(dir);
  try {
    for (const [index, step] of (manifest.steps ?? []).entries()) {
      const run = Object.hasOwn(ops, step.op) ? ops[step.op] : null;
      if (!run) throw fail(index, step.id, step.op ? `unknown op: ${step.op}` : "missing op");
      await run(client, step, index, step.id, dir);
    }
  } finally {
    client.close();
  }
  console.log(`${manifest.name ?? path.basename(manifestPath)}: ${manifest.steps?.length ?? 0} steps passed`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof StepError ? err.message : `conformance: ${err.message}`);
  process.exit(1);
});
