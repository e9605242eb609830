"use strict";
// Shared by the tests: temporary pool directories, and the repository's paths.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Client } = require("..");

const root = path.resolve(__dirname, "..", "..", "..");

function tempDir(t, prefix = "plasmite-node-") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A client and a fresh pool in a temporary directory, closed after t. */
function freshPool(t, name = "p", size = 1024 * 1024) {
  const dir = tempDir(t);
  const client = new Client(dir);
  const pool = client.createPool(name, size);
  t.after(() => {
    pool.close();
    client.close();
  });
  return { dir, client, pool };
}

/** Appends large messages until seq is no longer retained. */
function fillPast(pool, seq) {
  for (let i = 0; i < 100000; i++) {
    pool.append({ i, padding: "x".repeat(4096) });
    try {
      pool.get(seq);
    } catch {
      return;
    }
  }
  throw new Error(`seq ${seq} still retained`);
}

/** Our CLI (make builds it), and the reference release's, if installed. */
const cli = process.env.PLASMITE_BIN || path.join(root, "build", "bin", "plasmite");
const refDir = process.env.PLASMITE_REF || path.join(root, ".ref");
const refCli = path.join(refDir, "bin", "plasmite");

module.exports = { root, tempDir, freshPool, fillPast, cli, refCli };
