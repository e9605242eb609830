"use strict";
// `npm pack` makes a package that installs offline into an empty project and
// works there: CommonJS and ESM entries, the addon with its libplasmite, and
// the bundled CLI as the plasmite and pls bins.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { tempDir } = require("./helpers");

const pkgDir = path.join(__dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack, then an offline install into an empty project, works", { timeout: 180000 }, (t) => {
  const work = tempDir(t, "plasmite-pack-");
  const quiet = ["--no-audit", "--no-fund", "--loglevel=error"];
  const out = execFileSync(npm, ["pack", "--json", "--pack-destination", work, ...quiet], { cwd: pkgDir, encoding: "utf8" });
  const [info] = JSON.parse(out);
  const files = info.files.map((f) => f.path);
  for (const f of ["index.js", "index.mjs", "types.d.ts", "bin/plasmite.js", "bin/pls.js", "package.json"]) {
    assert.ok(files.includes(f), `${f} is not in the package`);
  }
  for (const f of ["plasmite.node", "libplasmite.so", "plasmite"]) {
    assert.ok(files.some((p) => p.startsWith("native/") && p.endsWith(`/${f}`)), `native ${f} is not in the package`);
  }
  assert.ok(!files.some((p) => p.startsWith("test/") || p.startsWith("node_modules/")), "tests or dependencies are packed");
  t.diagnostic(`package: ${info.filename}, ${(info.size / 1e6).toFixed(1)} MB packed, ${info.entryCount} files`);

  const project = path.join(work, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "empty", version: "1.0.0", private: true }));
  // An empty cache and --offline: nothing may come from a registry.
  execFileSync(npm, ["install", "--offline", "--cache", path.join(work, "cache"), ...quiet, path.join(work, info.filename)], { cwd: project, encoding: "utf8" });

  const pools = path.join(work, "pools");
  const cjs = `const {Client} = require("plasmite"); const c = new Client(${JSON.stringify(pools)});
    const p = c.pool("demo"); console.log(String(p.append({via: "cjs"}, ["x"]).seq)); p.close(); c.close();`;
  assert.equal(execFileSync(process.execPath, ["-e", cjs], { cwd: project, encoding: "utf8" }).trim(), "1");
  const esm = `import plasmite, { Client, Durability } from "plasmite"; const c = new Client(${JSON.stringify(pools)});
    const p = c.openPool("demo"); const m = p.append({via: "esm"}, [], Durability.Flush);
    console.log(String(m.seq), typeof plasmite.RemoteClient); p.close(); c.close();`;
  assert.equal(execFileSync(process.execPath, ["--input-type=module", "-e", esm], { cwd: project, encoding: "utf8" }).trim(), "2 function");

  const bin = path.join(project, "node_modules", ".bin");
  const fetched = execFileSync(path.join(bin, "pls"), ["--dir", pools, "fetch", "demo", "2"], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(fetched).data, { via: "esm" });
  assert.match(execFileSync(path.join(bin, "plasmite"), ["--version"], { encoding: "utf8" }), /^plasmite /);
  const help = execFileSync(path.join(bin, "pls"), [], { encoding: "utf8" });
  assert.ok(help.length > 0);
  let status = 0;
  try {
    execFileSync(path.join(bin, "pls"), ["--dir", pools, "fetch", "missing", "1"], { stdio: "ignore" });
  } catch (err) {
    status = err.status;
  }
  assert.equal(status, 3, "the CLI's exit status (NotFound) passes through the bin");
});
