"use strict";
/*
 * mappings.js — the stable names and numbers shared by the local and remote
 * halves of the package: error kinds and durability.
 */

/** Error kinds: the same numbers as the C ABI, the HTTP API and the CLI. */
const ErrorKind = Object.freeze({
  Internal: 1,
  Usage: 2,
  NotFound: 3,
  AlreadyExists: 4,
  Busy: 5,
  Permission: 6,
  Corrupt: 7,
  Io: 8,
  RetentionGap: 9,
});

/** Durability of an append: Fast returns once readers can see the message,
 *  Flush also waits until it is on disk. */
const Durability = Object.freeze({ Fast: 0, Flush: 1 });

const KIND_NUMBERS = new Set(Object.values(ErrorKind));

/**
 * The numeric kind for a kind name or number; fallback for anything else,
 * including names inherited from Object.prototype.
 */
function mapErrorKind(value, fallback = undefined) {
  if (typeof value === "number") {
    return KIND_NUMBERS.has(value) ? value : fallback;
  }
  if (typeof value === "string" && Object.hasOwn(ErrorKind, value)) {
    return ErrorKind[value];
  }
  return fallback;
}

const DURABILITY_NAMES = Object.freeze({ fast: "fast", flush: "flush", 0: "fast", 1: "flush" });

/**
 * "fast" or "flush" for Durability values, their names (any case) and
 * nullish (fast). Anything else is a TypeError.
 */
function mapDurability(value) {
  if (value === undefined || value === null) {
    return "fast";
  }
  const key = String(value).toLowerCase();
  if (Object.hasOwn(DURABILITY_NAMES, key)) {
    return DURABILITY_NAMES[key];
  }
  throw new TypeError("durability must be Durability.Fast or Durability.Flush");
}

/** The ABI's durability number (0 or 1) for the same inputs. */
function durabilityNumber(value) {
  if (value === 0 || value === 1) {
    return value;
  }
  return mapDurability(value) === "flush" ? 1 : 0;
}

module.exports = { ErrorKind, Durability, mapErrorKind, mapDurability, durabilityNumber };
