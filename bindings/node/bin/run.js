"use strict";
// Runs the CLI bundled in native/<platform>/ under the given program name
// (the CLI tells `plasmite` and `pls` apart by argv[0]), with inherited
// stdio, and exits with its status.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { platformDir } = require("../platform");

module.exports = function run(name) {
  const dir = platformDir();
  const target = dir ? path.join(__dirname, "..", "native", dir, "plasmite") : null;
  if (!target || !fs.existsSync(target)) {
    console.error(`${name}: the bundled CLI is unavailable for ${process.platform}-${process.arch}`);
    process.exit(1);
  }
  const result = spawnSync(target, process.argv.slice(2), { stdio: "inherit", argv0: name });
  if (result.error) {
    console.error(`${name}: failed to run ${target}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.signal) {
    process.kill(process.pid, result.signal);
  }
  process.exit(result.status ?? 1);
};
