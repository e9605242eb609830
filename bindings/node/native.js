"use strict";
/*
 * native.js — loads the addon (native/<platform>/plasmite.node, linked to
 * the libplasmite beside it) and wraps its flat functions in handle
 * classes shaped like the reference package's native layer (the objects a
 * Pool or Stream of index.js delegates to).
 *
 * If the addon cannot be loaded the module still loads: `addon` is null and
 * `unavailableError()` says why; RemoteClient does not need it.
 */

const path = require("node:path");
const { platformDir } = require("./platform");

/** Where the addon is: the package's native/<platform>/plasmite.node. */
function addonPath() {
  const dir = platformDir();
  return dir ? path.join(__dirname, "native", dir, "plasmite.node") : null;
}

let addon = null;
let loadError = null;
const expectedPath = addonPath();
try {
  if (expectedPath) {
    addon = require(expectedPath);
  } else {
    loadError = new Error(`unsupported platform: ${process.platform}-${process.arch}`);
  }
} catch (err) {
  loadError = err;
}

function unavailableError() {
  const reason = loadError instanceof Error ? loadError.message : "unknown load error";
  return new Error(
    `plasmite native addon is unavailable for ${process.platform}-${process.arch} (${reason}). ` +
      `expected addon path: ${expectedPath ?? "unsupported platform"}. ` +
      "RemoteClient remains supported without native artifacts.",
  );
}

function requireAddon() {
  if (!addon) {
    throw unavailableError();
  }
  return addon;
}

class NativeClient {
  constructor(poolDir) {
    this._h = requireAddon().clientNew(poolDir);
  }
  createPool(poolRef, sizeBytes) {
    return new NativePool(addon.poolCreate(this._h, poolRef, sizeBytes));
  }
  openPool(poolRef) {
    return new NativePool(addon.poolOpen(this._h, poolRef));
  }
  deletePool(poolRef) {
    addon.poolDelete(this._h, poolRef);
  }
  listPoolsText() {
    return addon.poolListJson(this._h);
  }
  close() {
    addon.close(this._h);
  }
}

class NativePool {
  constructor(h) {
    this._h = h;
  }
  /** Envelope JSON bytes of the appended message. */
  appendJson(payload, tags, durability) {
    return Buffer.from(addon.appendJson(this._h, payload, tags, durability));
  }
  /** The same, as a string (no Buffer made). */
  appendJsonText(payload, tags, durability) {
    return addon.appendJson(this._h, payload, tags, durability);
  }
  /** Appends and leaves the seq and time in `receipt`; returns undefined
   *  when payload is canonical (the envelope is then made from it), else
   *  the envelope text. tagText: each tag followed by "\0". */
  appendReceipt(payload, tagText, durability) {
    return addon.appendJsonReceipt(this._h, payload, tagText, durability);
  }
  /** [firstSeq, count] of a batch: joined is JSON texts separated by "\n",
   *  or an array of Buffers. */
  appendJsonBatch(joined, tags, durability) {
    return addon.appendJsonBatch(this._h, joined, tags, durability);
  }
  /** [firstSeq, count] of a batch given as JSON.stringify of an array of
   *  objects, or null when an element is not an object (nothing stored). */
  appendJsonArray(json, tagText, durability) {
    return addon.appendJsonArray(this._h, json, tagText, durability);
  }
  appendLite3(payload, durability) {
    return addon.appendLite3(this._h, payload, durability);
  }
  getJson(seq) {
    return Buffer.from(addon.getJson(this._h, seq));
  }
  getJsonText(seq) {
    return addon.getJson(this._h, seq);
  }
  getLite3(seq) {
    return addon.getLite3(this._h, seq);
  }
  infoText() {
    return addon.poolInfoJson(this._h);
  }
  openStream(sinceSeq, maxMessages, timeoutMs, errorOnGap, tags = null) {
    return new NativeStream(
      addon.streamOpen(this._h, false, sinceSeq ?? null, maxMessages ?? null, timeoutMs ?? null, Boolean(errorOnGap), tags),
    );
  }
  openLite3Stream(sinceSeq, maxMessages, timeoutMs, errorOnGap, tags = null) {
    return new NativeLite3Stream(
      addon.streamOpen(this._h, true, sinceSeq ?? null, maxMessages ?? null, timeoutMs ?? null, Boolean(errorOnGap), tags),
    );
  }
  close() {
    addon.close(this._h);
  }
}

/** Shared by JSON and Lite3 streams: non-blocking reads and readiness. */
class NativeStreamBase {
  constructor(h) {
    this._h = h;
  }
  /** An item, undefined (none yet) or null (the stream is over), waiting
   *  at most timeoutMs (0: not at all). */
  poll(timeoutMs = 0) {
    return addon.streamNextTimeout(this._h, timeoutMs);
  }
  /** Calls callback once when an item may be available. */
  watch(callback) {
    addon.streamWatch(this._h, callback);
  }
  unwatch() {
    addon.streamUnwatch(this._h);
  }
  cancel() {
    addon.streamCancel(this._h);
  }
  close() {
    addon.close(this._h);
  }
}

/**
 * The batch index of the addon: where each envelope of a takeBatch string
 * is, and its parts (F_* offsets, in UTF-16 units), with FLAGS bits.
 */
const F = Object.freeze({ START: 0, END: 1, TIME: 2, TIME_END: 3, TAGS: 4, TAGS_END: 5, DATA: 6, FLAGS: 7 });
const FLAG_SHAPED = 1; // TIME..DATA are set and the seq is in seqs
const batchIndex = addon
  ? {
      count: new Uint32Array(addon.batchIndex, 0, 1),
      seqs: new BigUint64Array(addon.batchIndex, 8, addon.batchMax),
      fields: new Uint32Array(addon.batchIndex, 8 + 8 * addon.batchMax, addon.batchMax * addon.batchFields),
    }
  : null;

class NativeStream extends NativeStreamBase {
  /** Blocking read (the reference's synchronous next): Buffer or null. */
  nextJson() {
    const text = addon.streamNext(this._h);
    return text === null ? null : Buffer.from(text);
  }
  /**
   * The envelopes available now, without waiting: {text, n, fields, seqs}
   * (text: n envelopes, each followed by "\n"; fields: F_* offsets per
   * envelope, batchFields apart; seqs: their seqs), undefined when there is
   * none yet, null when the stream is over.
   */
  takeBatch() {
    const text = addon.streamTakeBatch(this._h);
    if (typeof text !== "string") {
      return text;
    }
    const n = batchIndex.count[0];
    return {
      text,
      n,
      fields: batchIndex.fields.slice(0, n * addon.batchFields),
      seqs: batchIndex.seqs.slice(0, n),
    };
  }
}

class NativeLite3Stream extends NativeStreamBase {
  next() {
    return addon.streamNext(this._h);
  }
}

class NativeUdpClient {
  constructor(endpoint) {
    this._h = requireAddon().udpClientNew(endpoint);
  }
  openPool(poolName) {
    return new NativeUdpPool(addon.udpOpenPool(this._h, poolName));
  }
  close() {
    addon.close(this._h);
  }
}

class NativeUdpPool {
  constructor(h) {
    this._h = h;
  }
  sendJson(payload, tags) {
    addon.udpSendJson(this._h, payload, tags);
  }
  sendLite3(payload) {
    addon.udpSendLite3(this._h, payload);
  }
  follow(startKind, startValue, live) {
    try {
      return Promise.resolve(new NativeUdpFollow(addon.udpFollow(this._h, startKind, startValue, live)));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  close() {
    addon.close(this._h);
  }
}

class NativeUdpFollow {
  constructor(h) {
    this._h = h;
    this._finished = false;
  }
  nextEvent(timeoutMs) {
    const wait = addon.udpNext(this._h, timeoutMs);
    if (wait.status === 2) {
      this._finished = true;
    }
    if (wait.event && wait.event.kind === "frame") {
      wait.event.message = Buffer.from(wait.event.message);
    }
    return wait;
  }
  get isFinished() {
    return this._finished;
  }
  cancel() {
    addon.udpCancel(this._h);
  }
  close() {
    addon.close(this._h);
  }
}

/** The last receipt of appendReceipt: seq (bigint), and in f64: the time
 *  as seconds and nanoseconds, then the seq (exact up to 2^53). */
const receipt = addon
  ? {
      seq: new BigUint64Array(addon.receipt, 0, 1),
      f64: new Float64Array(addon.receipt, 8, 3),
    }
  : null;

/** The last receipt's seq as decimal digits. */
function receiptSeqText() {
  const n = receipt.f64[2];
  if (n < 0x40000000) return "" + (n | 0); // a small integer converts fastest
  return n <= Number.MAX_SAFE_INTEGER ? String(n) : String(receipt.seq[0]);
}

module.exports = {
  F,
  FLAG_SHAPED,
  BATCH_FIELDS: addon ? addon.batchFields : 0,
  addon,
  receipt,
  receiptSeqText,
  addonPath: expectedPath,
  platformDir,
  unavailableError,
  NativeClient,
  NativePool,
  NativeStream,
  NativeLite3Stream,
  NativeUdpClient,
  NativeUdpPool,
  NativeUdpFollow,
};
