"use strict";
// Interop with the reference release's CLI (1.2.1, in .ref/): each side reads
// the pools the other wrote, and a tail of ours follows the reference's appends live.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { execFileSync, spawn } = require("node:child_process");
const { Client } = require("..");
const { refCli, tempDir } = require("./helpers");

const haveRef = fs.existsSync(refCli);
const skip = !haveRef && (process.env.PLASMITE_REQUIRE_REF ? false : `reference CLI not installed (${refCli})`);

function ref(dir, ...args) {
  return execFileSync(refCli, ["--dir", dir, ...args], { encoding: "utf8" });
}

test("pools written by the reference CLI read the same through this package", { skip }, (t) => {
  const dir = tempDir(t);
  ref(dir, "pool", "create", "from-ref");
  ref(dir, "feed", "from-ref", "--tag", "a", "--tag", "b", '{"k":1,"s":"żółw","f":1.5}');
  ref(dir, "feed", "from-ref", '{"k":2,"nested":{"x":[1,2,3]}}');
  const client = new Client(dir);
  const pool = client.openPool("from-ref");
  t.after(() => {
    pool.close();
    client.close();
  });
  for (const seq of [1, 2]) {
    const theirs = JSON.parse(ref(dir, "fetch", "from-ref", String(seq)));
    const ours = pool.get(seq);
    assert.equal(ours.seq, BigInt(theirs.seq));
    assert.equal(ours.timeRfc3339, theirs.time);
    assert.deepEqual(ours.data, theirs.data);
    assert.deepEqual([...ours.tags], theirs.meta.tags);
  }
  const frame = pool.getLite3(1);
  assert.equal(pool.appendLite3(frame.payload), 3n);
  assert.deepEqual(JSON.parse(ref(dir, "fetch", "from-ref", "3")).data, { k: 1, s: "żółw", f: 1.5 });
});

test("pools written by this package read the same through the reference CLI", { skip }, (t) => {
  const dir = tempDir(t);
  const client = new Client(dir);
  const pool = client.createPool("from-node");
  t.after(() => {
    pool.close();
    client.close();
  });
  const m = pool.append({ a: 1, list: [true, null, "x"] }, ["t1"]);
  pool.appendBatch([{ b: 1 }, { b: 2 }], ["batch"]);
  const theirs = JSON.parse(ref(dir, "fetch", "from-node", "1"));
  assert.deepEqual(theirs, JSON.parse(m.raw));
  const lines = ref(dir, "follow", "from-node", "--tail", "3", "--no-follow").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.data), [{ a: 1, list: [true, null, "x"] }, { b: 1 }, { b: 2 }]);
  assert.deepEqual(lines[2].meta.tags, ["batch"]);
});

test("a tail of ours follows the reference CLI's appends live", { skip }, async (t) => {
  const dir = tempDir(t);
  const client = new Client(dir);
  const pool = client.createPool("live");
  t.after(() => {
    pool.close();
    client.close();
  });
  const got = [];
  const reading = (async () => {
    for await (const m of pool.tail({ sinceSeq: 1, maxMessages: 3, timeoutMs: 10000 })) got.push(m.data.n);
  })();
  for (const n of [1, 2, 3]) {
    await new Promise((resolve, reject) => {
      const child = spawn(refCli, ["--dir", dir, "feed", "live", JSON.stringify({ n })], { stdio: "ignore" });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`feed exited ${code}`))));
    });
  }
  await reading;
  assert.deepEqual(got, [1, 2, 3]);
});
