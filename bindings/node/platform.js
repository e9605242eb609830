"use strict";
// The native/<dir> of this platform: linux-x64, linux-arm64, darwin-x64,
// darwin-arm64; null elsewhere.
const PLATFORMS = Object.freeze({
  linux: Object.freeze({ x64: "linux-x64", arm64: "linux-arm64" }),
  darwin: Object.freeze({ x64: "darwin-x64", arm64: "darwin-arm64" }),
});

function platformDir() {
  return PLATFORMS[process.platform]?.[process.arch] ?? null;
}

module.exports = { platformDir };
