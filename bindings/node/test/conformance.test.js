"use strict";
// The cross-language conformance manifests (../shared/conformance; format in
// spec/cli.md §8) through this package, with cmd/conformance.js. The runner
// writes its workdir beside the manifest, so it runs on copies.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { root, tempDir, cli } = require("./helpers");

const shared = process.env.PLASMITE_SHARED || path.join(root, "..", "shared");
const manifests = path.join(shared, "conformance");
const runner = path.join(__dirname, "..", "cmd", "conformance.js");
const names = fs.existsSync(manifests) ? fs.readdirSync(manifests).filter((n) => n.endsWith(".json")).sort() : [];

test("the conformance manifests are there", () => {
  assert.ok(names.length >= 5, `no manifests in ${manifests}`);
});

for (const name of names) {
  test(`conformance ${name}`, (t) => {
    const dir = tempDir(t, "plasmite-conformance-");
    fs.copyFileSync(path.join(manifests, name), path.join(dir, name));
    const r = spawnSync(process.execPath, [runner, path.join(dir, name)], {
      encoding: "utf8",
      env: { ...process.env, PLASMITE_BIN: cli },
    });
    assert.equal(r.status, 0, r.stderr || r.stdout);
  });
}

test("the runner refuses unsafe workdirs and reports failing steps", (t) => {
  const dir = tempDir(t, "plasmite-conformance-");
  const manifest = path.join(dir, "m.json");
  fs.writeFileSync(path.join(dir, "keep"), "x");
  for (const workdir of ["", ".", "..", "work/../..", "other"]) {
    fs.writeFileSync(manifest, JSON.stringify({ conformance_version: 0, workdir, steps: [] }));
    const r = spawnSync(process.execPath, [runner, manifest], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /workdir must be work or a work- name/);
  }
  assert.ok(fs.existsSync(path.join(dir, "keep")));
  fs.writeFileSync(manifest, JSON.stringify({ conformance_version: 0, steps: [
    { op: "create_pool", id: "c", pool: "p" },
    { op: "get", id: "missing", pool: "p", input: { seq: 1 }, expect: { data: {} } },
  ] }));
  const r = spawnSync(process.execPath, [runner, manifest], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^step 1 \(missing\): unexpected error: .*not found/);
});
