"use strict";
/*
 * plasmite — persistent JSON message queues for Node.js.
 *
 * The API of the reference package (release 1.2.1) over this project's
 * libplasmite: local pools through the native addon (native.js), remote
 * pools over HTTP in plain JavaScript (remote.js).
 *
 * Waiting never blocks the event loop: Pool.tail, Pool.replay, the streams'
 * async methods and iterators wait on the stream's readiness descriptor,
 * watched by the event loop, so an idle tail costs no thread and no CPU.
 * Only the synchronous Stream.nextJson / Lite3Stream.next (and their
 * for-of iterators), kept for programs written for the reference, wait in
 * the calling thread, for at most the stream's own timeout.
 */

const os = require("node:os");
const path = require("node:path");
const native = require("./native");
const {
  EnvelopeReader,
  Message,
  UINT64_MAX,
  envelopeMiddle,
  envelopeText,
  messageFromReceipt,
  messageFromText,
  parseMessage,
  rfc3339,
} = require("./message");
const { Durability, ErrorKind, durabilityNumber, mapErrorKind } = require("./mappings");
const { RemoteClient, RemoteError, RemotePool } = require("./remote");

/** Where pool names resolve by default: ~/.plasmite/pools. */
const DEFAULT_POOL_DIR = path.join(os.homedir(), ".plasmite", "pools");
/** The size of a pool created without one: 1 MiB. */
const DEFAULT_POOL_SIZE = 1024 * 1024;
const DEFAULT_POOL_SIZE_BYTES = DEFAULT_POOL_SIZE;
/** How long tail and replay wait for a message, by default (ms). */
const DEFAULT_TAIL_TIMEOUT_MS = 1000;

// ---- errors -----------------------------------------------------------

/**
 * A failure reported by libplasmite: kind (an ErrorKind number), and when
 * known the pool file's path, the message seq and the file offset concerned.
 * cause is the addon's original Error.
 */
class PlasmiteNativeError extends Error {
  constructor(message, details = {}, cause = undefined) {
    super(message);
    this.name = "PlasmiteNativeError";
    this.kind = details.kind;
    this.path = details.path;
    this.seq = details.seq;
    this.offset = details.offset;
    this.cause = cause;
  }
}

/** An addon error (an Error with an own kind) as a PlasmiteNativeError;
 *  anything else unchanged. Unknown kinds map to Io. */
function wrapNativeError(err) {
  if (!(err instanceof Error) || !Object.hasOwn(err, "kind") || err instanceof PlasmiteNativeError) {
    return err;
  }
  return new PlasmiteNativeError(
    err.message,
    { kind: mapErrorKind(err.kind, ErrorKind.Io), path: err.path, seq: err.seq, offset: err.offset },
    err,
  );
}

function call(fn) {
  try {
    return fn();
  } catch (err) {
    throw wrapNativeError(err);
  }
}

function requireNative() {
  if (!native.addon) {
    throw native.unavailableError();
  }
}

function abortError(signal) {
  const reason = signal?.reason;
  if (reason instanceof Error) {
    return reason;
  }
  return new DOMException(reason === undefined ? "The operation was aborted" : String(reason), "AbortError");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

// ---- argument normalisation -------------------------------------------

function toTagList(tags) {
  if (tags === undefined || tags === null) {
    return [];
  }
  return Array.isArray(tags) ? tags : [tags];
}

function hasTags(message, required) {
  if (required.length === 0) {
    return true;
  }
  const tags = message.meta.tags;
  return required.every((tag) => tags.includes(tag));
}

function optionalCount(value, name) {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === "bigint") {
    if (value < 0n) throw new TypeError(`${name} must be non-negative`);
    return Number(value);
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be non-negative`);
  }
  return Math.floor(value);
}

/** tail/replay's timeoutMs: unset or <= 0 means the default. */
function waitTimeout(timeoutMs) {
  if (timeoutMs === undefined || timeoutMs === null) {
    return DEFAULT_TAIL_TIMEOUT_MS;
  }
  if (typeof timeoutMs === "bigint") {
    return timeoutMs <= 0n ? DEFAULT_TAIL_TIMEOUT_MS : Number(timeoutMs);
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs)) {
    throw new TypeError("timeoutMs must be numeric");
  }
  return timeoutMs <= 0 ? DEFAULT_TAIL_TIMEOUT_MS : timeoutMs;
}

function toUint64(value, name) {
  let n;
  if (typeof value === "bigint") {
    n = value;
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    n = BigInt(value);
  } else {
    throw new TypeError(`${name} must be a bigint or safe integer`);
  }
  if (n < 0n || n > UINT64_MAX) {
    throw new RangeError(`${name} must fit an unsigned 64-bit integer`);
  }
  return n;
}

/**
 * Tags converted once for appends: text for the addon (each tag followed by
 * NUL), middle (envelopeMiddle of their JSON array) and frozen (the tags as
 * stored: a lone surrogate becomes U+FFFD, as in the library's UTF-8). The last set is
 * kept: a program appending in a loop mostly passes the same tags.
 */
const NO_TAGS = Object.freeze({ source: null, items: [], text: "", middle: envelopeMiddle("[]"), frozen: Object.freeze([]) });
let lastTags = NO_TAGS;

function tagSet(tags) {
  if (tags === undefined || tags === null) {
    return NO_TAGS;
  }
  const last = lastTags;
  if (tags === last.source && tags.length === last.items.length) {
    let same = true;
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] !== last.items[i]) {
        same = false;
        break;
      }
    }
    if (same) return last;
  }
  if (!Array.isArray(tags)) {
    throw new TypeError("tags must be an array of strings");
  }
  const items = [];
  let text = "";
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    if (typeof tag !== "string") {
      throw new TypeError("tag must be a string");
    }
    if (tag.includes("\0")) {
      throw new TypeError("tag must not contain NUL characters");
    }
    items.push(tag);
    text += tag + "\0";
  }
  const frozen = Object.freeze(items.map((tag) => tag.toWellFormed()));
  lastTags = { source: tags, items, text, middle: envelopeMiddle(JSON.stringify(frozen)), frozen };
  return lastTags;
}

function jsonText(payload) {
  if (Buffer.isBuffer(payload)) {
    return payload;
  }
  const text = JSON.stringify(payload);
  if (text === undefined) {
    throw new TypeError("payload must be JSON serializable");
  }
  return text;
}

/**
 * Whether JSON.stringify(payloads) writes each payload as
 * JSON.stringify(payload) would on its own: every payload is an object
 * without toJSON (whose key argument would differ; Buffers have one), and
 * there is no hole.
 */
function plainObjects(payloads) {
  if (typeof payloads.toJSON === "function") {
    return false;
  }
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i];
    if (p === null || typeof p !== "object" || typeof p.toJSON === "function") {
      return false;
    }
  }
  return true;
}

/** The JSON text of jsonText's result. */
function dataText(input) {
  return typeof input === "string" ? input : input.toString("utf8");
}

/** Durability for the ABI: numbers pass (the library checks them), names
 *  map, nullish is Fast. */
function localDurability(value) {
  if (value === undefined || value === null) {
    return Durability.Fast;
  }
  if (typeof value === "number" || typeof value === "bigint") {
    return value;
  }
  return durabilityNumber(value);
}

function decorateFrame(frame) {
  if (frame && typeof frame === "object" && !Object.hasOwn(frame, "time")) {
    Object.defineProperty(frame, "time", {
      enumerable: true,
      get() {
        return new Date(Number(this.timestampNs / 1_000_000n));
      },
    });
  }
  return frame;
}

// ---- client and pool --------------------------------------------------

/** A local client: resolves pool names in a directory. */
class Client {
  /** @param {string} [poolDir] default DEFAULT_POOL_DIR */
  constructor(poolDir = DEFAULT_POOL_DIR) {
    requireNative();
    this._inner = call(() => new native.NativeClient(poolDir));
  }

  /** Creates a pool file (sizeBytes default 1 MiB) and opens it. */
  createPool(poolRef, sizeBytes = DEFAULT_POOL_SIZE_BYTES) {
    return new Pool(call(() => this._inner.createPool(poolRef, sizeBytes)));
  }

  /** Opens an existing pool (NotFound, with path, when it is missing). */
  openPool(poolRef) {
    return new Pool(call(() => this._inner.openPool(poolRef)));
  }

  /** Opens the pool, creating it when it does not exist. */
  pool(poolRef, sizeBytes = DEFAULT_POOL_SIZE_BYTES) {
    try {
      return this.openPool(poolRef);
    } catch (err) {
      if (err instanceof PlasmiteNativeError && err.kind === ErrorKind.NotFound) {
        return this.createPool(poolRef, sizeBytes);
      }
      throw err;
    }
  }

  /** The pools of the directory, sorted by name, as `pls pool list --json`
   *  entries ({name, path, file_size, bounds, mtime} or {name, path, error}). */
  listPools() {
    return JSON.parse(call(() => this._inner.listPoolsText())).pools;
  }

  /** Deletes a pool file (NotFound, with path, when it is missing). */
  deletePool(poolRef) {
    call(() => this._inner.deletePool(poolRef));
  }

  /** Releases the client; later calls fail with Usage. Idempotent. */
  close() {
    this._inner.close();
  }

  [Symbol.dispose]() {
    this.close();
  }
}

/** An open pool. */
class Pool {
  constructor(inner) {
    requireNative();
    this._inner = inner;
  }

  /**
   * Appends payload (a Buffer of JSON bytes, or any value, written with
   * JSON.stringify) and returns the stored message's envelope JSON bytes.
   */
  appendJson(payload, tags, durability) {
    const input = jsonText(payload);
    const dur = localDurability(durability);
    if (typeof this._inner.appendReceipt === "function") {
      const set = tagSet(tags);
      const envelope = this._appendReceipt(input, set, dur);
      if (envelope !== undefined) return Buffer.from(envelope);
      const t = native.receipt.f64;
      return Buffer.from(envelopeText(native.receiptSeqText(), rfc3339(t[0], t[1]), set.middle, dataText(input)));
    }
    return call(() => this._inner.appendJson(input, tags ?? [], dur));
  }

  /** Appends like appendJson and returns the stored Message. */
  append(payload, tags, durability) {
    const input = jsonText(payload);
    const dur = localDurability(durability);
    if (typeof this._inner.appendReceipt === "function") {
      const set = tagSet(tags);
      const envelope = this._appendReceipt(input, set, dur);
      if (envelope !== undefined) return messageFromText(envelope);
      const r = native.receipt;
      return messageFromReceipt(r.seq[0], native.receiptSeqText(), r.f64[0], r.f64[1], set, dataText(input));
    }
    if (typeof this._inner.appendJsonText === "function") {
      return messageFromText(call(() => this._inner.appendJsonText(input, tags ?? [], dur)));
    }
    return parseMessage(call(() => this._inner.appendJson(input, tags ?? [], dur)));
  }

  /** The library's append that returns the receipt (native.receipt) and,
   *  only when input is not canonical, the envelope text. */
  _appendReceipt(input, set, dur) {
    try {
      return this._inner.appendReceipt(input, set.text, dur);
    } catch (err) {
      throw wrapNativeError(err);
    }
  }

  /**
   * Appends many messages, in order, under one acquisition of the pool's
   * lock: payloads is an array of values (or Buffers of JSON bytes), each
   * stored with the same tags. Every payload is checked before anything is
   * stored. Returns {firstSeq, count}: the messages got seqs firstSeq,
   * firstSeq + 1n, ...
   */
  appendBatch(payloads, tags, durability) {
    if (!Array.isArray(payloads)) {
      throw new TypeError("payloads must be an array");
    }
    if (typeof this._inner.appendJsonArray === "function" && plainObjects(payloads)) {
      // One JSON.stringify of the whole array costs far less than one per
      // payload; what it writes for each is what JSON.stringify(payload)
      // writes, and the addon splits it.
      const text = JSON.stringify(payloads);
      const dur = localDurability(durability);
      const set = tagSet(tags);
      let r;
      try {
        r = this._inner.appendJsonArray(text, set.text, dur);
      } catch (err) {
        throw wrapNativeError(err);
      }
      if (r !== null) {
        return { firstSeq: r[0], count: r[1] };
      }
    }
    let batch;
    if (payloads.some((p) => Buffer.isBuffer(p))) {
      batch = payloads.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(jsonText(p))));
    } else {
      // JSON.stringify writes no raw newline, so "\n" separates the texts.
      batch = payloads.map(jsonText).join("\n");
    }
    const dur = localDurability(durability);
    const [firstSeq, count] = call(() => this._inner.appendJsonBatch(batch, tags ?? [], dur));
    return { firstSeq, count };
  }

  /** Appends a Lite3 message document as is; returns its seq. */
  appendLite3(payload, durability) {
    const dur = localDurability(durability);
    return call(() => this._inner.appendLite3(payload, dur));
  }

  /** The envelope JSON bytes of message seq (NotFound with seq if absent). */
  getJson(seq) {
    return call(() => this._inner.getJson(seq));
  }

  /** Message seq. */
  get(seq) {
    if (typeof this._inner.getJsonText === "function") {
      return messageFromText(call(() => this._inner.getJsonText(seq)));
    }
    return parseMessage(this.getJson(seq));
  }

  /** Message seq as stored: {seq, timestampNs, flags, payload, time}. */
  getLite3(seq) {
    return decorateFrame(call(() => this._inner.getLite3(seq)));
  }

  /** The pool's geometry, bounds and usage (`pls pool info --json`). */
  info() {
    return JSON.parse(call(() => this._inner.infoText()));
  }

  /**
   * A stream of envelope JSON bytes from sinceSeq (default: the oldest
   * retained message), ending after maxMessages, or timeoutMs after it was
   * opened. With errorOnGap a retention gap fails once with RetentionGap.
   */
  openStream(sinceSeq, maxMessages, timeoutMs, errorOnGap = false) {
    return new Stream(call(() => this._inner.openStream(sinceSeq, maxMessages, timeoutMs, errorOnGap)));
  }

  /** The same stream, delivering Lite3 frames. */
  openLite3Stream(sinceSeq, maxMessages, timeoutMs, errorOnGap = false) {
    return new Lite3Stream(call(() => this._inner.openLite3Stream(sinceSeq, maxMessages, timeoutMs, errorOnGap)));
  }

  /**
   * Messages from sinceSeq (default: the oldest retained), those carrying
   * every tag of tags. Ends after maxMessages, or, when maxMessages is set,
   * once timeoutMs (default 1000) passed without any message; without
   * maxMessages it follows the pool until the loop stops or signal aborts.
   * Waiting never blocks the event loop.
   */
  async *tail(options = {}) {
    const { sinceSeq, maxMessages, timeoutMs, tags, errorOnGap = false, signal } = options;
    const required = toTagList(tags);
    const limit = optionalCount(maxMessages, "maxMessages");
    const quiet = waitTimeout(timeoutMs);
    if (signal?.aborted) {
      throw abortError(signal);
    }
    if (limit === 0) {
      return;
    }
    const stream = this.openStream(sinceSeq ?? null, null, null, errorOnGap);
    try {
      let delivered = 0;
      let lastSeen = Date.now();
      let lastTurn = lastSeen;
      let sinceCheck = 0;
      for (;;) {
        const message = stream._takeMessage();
        if (message === null) {
          return;
        }
        if (message === undefined) {
          let ms = Infinity;
          if (limit !== null) {
            ms = lastSeen + quiet - Date.now();
            if (ms <= 0) return;
          }
          if (!(await stream._wait(ms, signal)) && limit !== null && Date.now() >= lastSeen + quiet) {
            return;
          }
          lastTurn = Date.now();
          continue;
        }
        if (limit !== null) {
          lastSeen = Date.now();
        }
        if (hasTags(message, required)) {
          delivered += 1;
          yield message;
          if (limit !== null && delivered >= limit) {
            return;
          }
        }
        // A long backlog is read without waiting; let timers and I/O in
        // every few milliseconds.
        if (++sinceCheck >= 256) {
          sinceCheck = 0;
          if (Date.now() - lastTurn >= 4) {
            await nextTurn();
            lastTurn = Date.now();
          }
          if (signal?.aborted) {
            throw abortError(signal);
          }
        }
      }
    } finally {
      stream.close();
    }
  }

  /**
   * Reads the messages tail would (a single wait of timeoutMs, default
   * 1000), then yields them with their original spacing divided by speed.
   */
  async *replay(options = {}) {
    const { speed = 1.0, sinceSeq, maxMessages, timeoutMs, tags, signal } = options;
    if (!(speed > 0)) {
      throw new Error("speed must be positive");
    }
    const required = toTagList(tags);
    const limit = optionalCount(maxMessages, "maxMessages");
    const streamLimit = required.length === 0 ? limit : null;
    const stream = this.openStream(sinceSeq ?? null, streamLimit, waitTimeout(timeoutMs));
    const messages = [];
    try {
      for (;;) {
        if (limit !== null && messages.length >= limit) break;
        const message = await stream._nextMessage(signal);
        if (message === null) break;
        if (hasTags(message, required)) messages.push(message);
      }
    } finally {
      stream.close();
    }
    let prev = null;
    for (const message of messages) {
      const at = message.time.getTime();
      if (prev !== null) {
        const delay = (at - prev) / speed;
        if (delay > 0) await sleep(delay);
      }
      prev = at;
      if (signal?.aborted) throw abortError(signal);
      yield message;
    }
  }

  /** Releases the pool; open streams keep working. Idempotent. */
  close() {
    this._inner.close();
  }

  [Symbol.dispose]() {
    this.close();
  }
}

// ---- streams ----------------------------------------------------------

/** What JSON and Lite3 streams share: non-blocking reads and waits. */
class StreamBase {
  constructor(inner) {
    requireNative();
    this._inner = inner;
    this._closed = false;
    this._wake = null; // resolves the pending wait, if any
  }

  /** An item, undefined (none yet) or null (over); never waits. */
  _take() {
    if (this._closed) {
      return null;
    }
    return call(() => this._inner.poll(0));
  }

  /** Waits until an item may be available (true), ms passed (false), the
   *  stream closed (true) or signal aborted (rejects). */
  _wait(ms, signal) {
    if (this._closed) {
      return Promise.resolve(true);
    }
    if (signal?.aborted) {
      return Promise.reject(abortError(signal));
    }
    return new Promise((resolve, reject) => {
      let timer = null;
      const settle = (ok, err) => {
        this._wake = null;
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(ok);
      };
      const onAbort = () => {
        this._inner.unwatch();
        settle(false, abortError(signal));
      };
      this._wake = () => settle(true);
      call(() => this._inner.watch(() => settle(true)));
      if (ms !== Infinity) {
        timer = setTimeout(() => {
          this._inner.unwatch();
          settle(false);
        }, Math.max(0, ms));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The next item, waiting without blocking; null once the stream is over.
   *  take: the method that takes one (default _take). */
  async _nextItem(signal, take = this._take) {
    for (;;) {
      const item = take.call(this);
      if (item !== undefined) {
        return item;
      }
      await this._wait(Infinity, signal);
    }
  }

  /** Ends the stream: pending and later reads return null. */
  cancel() {
    if (!this._closed) {
      this._inner.cancel();
    }
  }

  /** Releases the stream; a pending async read resolves to null.
   *  Idempotent. */
  close() {
    if (this._closed) {
      return;
    }
    this._closed = true;
    this._inner.close();
    this._wake?.();
  }

  [Symbol.dispose]() {
    this.close();
  }
}

/**
 * A stream of messages as envelope JSON bytes. Reads take every envelope
 * available at once (one library call for up to hundreds) and hand them
 * out one by one.
 */
class Stream extends StreamBase {
  constructor(inner) {
    super(inner);
    this._reader = new EnvelopeReader(native);
  }

  /** Whether the reader has an envelope left, taking a batch when not:
   *  true, or undefined (none yet) or null (over). Never waits. */
  _fill() {
    if (this._reader.pending) {
      return true;
    }
    if (this._closed) {
      return null;
    }
    const batch = call(() => this._inner.takeBatch());
    if (batch === undefined || batch === null) {
      return batch;
    }
    this._reader.reset(batch);
    return true;
  }

  /** The next envelope's text, undefined (none yet) or null (over). */
  _take() {
    const ready = this._fill();
    return ready === true ? this._reader.nextText() : ready;
  }

  /** The next Message, undefined (none yet) or null (over). */
  _takeMessage() {
    const ready = this._fill();
    return ready === true ? this._reader.nextMessage() : ready;
  }

  _nextMessage(signal) {
    return this._nextItem(signal, this._takeMessage);
  }

  /** The next message's envelope bytes, or null at the end. Synchronous:
   *  waits in this thread, up to the stream's timeout (use nextJsonAsync or
   *  for await to wait without blocking). */
  nextJson() {
    if (this._closed) {
      return null;
    }
    if (this._reader.pending) {
      return Buffer.from(this._reader.nextText());
    }
    return call(() => this._inner.nextJson());
  }

  cancel() {
    this._reader.reset(null);
    super.cancel();
  }

  close() {
    this._reader.reset(null);
    super.close();
  }

  /** The next message's envelope bytes, or null at the end, without
   *  blocking the event loop. Rejects with signal's reason on abort. */
  async nextJsonAsync({ signal } = {}) {
    const text = await this._nextText(signal);
    return text === null ? null : Buffer.from(text);
  }

  /** The next message as a Message, or null at the end, without blocking. */
  async nextMessage({ signal } = {}) {
    return this._nextMessage(signal);
  }

  _nextText(signal) {
    return this._nextItem(signal);
  }

  *[Symbol.iterator]() {
    let message;
    while ((message = this.nextJson()) !== null) {
      yield message;
    }
  }

  async *[Symbol.asyncIterator]() {
    let message;
    while ((message = await this.nextJsonAsync()) !== null) {
      yield message;
    }
  }
}

/** A stream of messages as Lite3 frames {seq, timestampNs, flags, payload}. */
class Lite3Stream extends StreamBase {
  /** The next frame, or null at the end. Synchronous, like Stream.nextJson. */
  next() {
    if (this._closed) {
      return null;
    }
    return decorateFrame(call(() => this._inner.next()));
  }

  /** The next frame, or null at the end, without blocking the event loop. */
  async nextAsync({ signal } = {}) {
    return decorateFrame(await this._nextItem(signal));
  }

  *[Symbol.iterator]() {
    let frame;
    while ((frame = this.next()) !== null) {
      yield frame;
    }
  }

  async *[Symbol.asyncIterator]() {
    let frame;
    while ((frame = await this.nextAsync()) !== null) {
      yield frame;
    }
  }
}

// ---- UDP --------------------------------------------------------------

/** Where a UDP follow starts. */
const UdpStart = Object.freeze({
  new: () => Object.freeze({ kind: "new" }),
  last: (count) => Object.freeze({ kind: "last", count: toUint64(count, "count") }),
  since: (timestampNs) => Object.freeze({ kind: "since", timestampNs: toUint64(timestampNs, "timestampNs") }),
  sequence: (seq) => Object.freeze({ kind: "sequence", seq: toUint64(seq, "seq") }),
});

/** A client of a server's UDP transport (udp://host:port). */
class UdpClient {
  constructor(endpoint) {
    requireNative();
    if (typeof endpoint !== "string" || !endpoint) {
      throw new TypeError("endpoint is required");
    }
    this._inner = call(() => new native.NativeUdpClient(endpoint));
  }

  openPool(poolName) {
    return new UdpPool(call(() => this._inner.openPool(poolName)));
  }

  close() {
    this._inner.close();
  }

  [Symbol.dispose]() {
    this.close();
  }
}

/** A pool reached over UDP. */
class UdpPool {
  constructor(inner) {
    this._inner = inner;
  }

  /** Sends one message (fire and forget). */
  sendJson(payload, tags = []) {
    const text = JSON.stringify(payload);
    if (text === undefined) {
      throw new TypeError("payload must be JSON serializable");
    }
    call(() => this._inner.sendJson(Buffer.from(text), tags));
  }

  /** Sends one complete Lite3 message document. */
  sendLite3(payload) {
    if (!Buffer.isBuffer(payload)) {
      throw new TypeError("payload must be a Buffer containing a complete Lite3 document");
    }
    call(() => this._inner.sendLite3(payload));
  }

  /** Starts following the pool: resolves to a UdpFollow. */
  follow(options = {}) {
    const start = options.start ?? UdpStart.new();
    const live = options.live ?? true;
    const starts = {
      new: [0, () => 0n],
      last: [1, () => toUint64(start.count, "start.count")],
      since: [2, () => toUint64(start.timestampNs, "start.timestampNs")],
      sequence: [3, () => toUint64(start.seq, "start.seq")],
    };
    const entry = Object.hasOwn(starts, start?.kind) ? starts[start.kind] : null;
    if (!entry) {
      throw new TypeError("start must come from UdpStart.new, last, since, or sequence");
    }
    const value = entry[1]();
    return call(() => this._inner.follow(entry[0], value, Boolean(live))).then(
      (inner) => new UdpFollow(inner),
      (err) => {
        throw wrapNativeError(err);
      },
    );
  }

  close() {
    this._inner.close();
  }

  [Symbol.dispose]() {
    this.close();
  }
}

function freezeUdpEvent(event) {
  switch (event.kind) {
    case "frame":
      return Object.freeze({
        kind: "frame",
        seq: event.seq,
        timestampNs: event.timestampNs,
        payload: event.payload,
        message: parseMessage(event.message),
      });
    case "gap":
      return Object.freeze({ kind: "gap", first: event.first, last: event.last, reason: event.reason });
    default:
      return Object.freeze({
        kind: "progress",
        startSeq: event.startSeq,
        nextSeq: event.nextSeq,
        endSeq: event.endSeq ?? null,
        terminal: Boolean(event.terminal),
        retentionGap: Boolean(event.retentionGap),
      });
  }
}

/** A running UDP follow: events are frames, gaps and progress reports. */
class UdpFollow {
  constructor(inner) {
    this._inner = inner;
    this._closed = false;
    this._cancelled = false;
  }

  /** The next event within timeoutMs (default 1000), or null (timeout or
   *  finished). Polls without blocking the event loop. */
  async nextEvent(timeoutMs = 1000, { signal } = {}) {
    const timeout = toUint64(timeoutMs, "timeoutMs");
    const deadline = process.hrtime.bigint() + timeout * 1_000_000n;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      if (this.finished) return null;
      const wait = call(() => this._inner.nextEvent(0n));
      if (signal?.aborted) throw abortError(signal);
      if (wait.status === 1) return freezeUdpEvent(wait.event);
      if (wait.status === 2 || wait.status === 3 || timeout === 0n) return null;
      const left = deadline - process.hrtime.bigint();
      if (left <= 0n) return null;
      const leftMs = Number((left + 999_999n) / 1_000_000n);
      await sleep(Math.min(leftMs, 10));
    }
  }

  get finished() {
    return this._closed || this._cancelled || this._inner.isFinished;
  }

  async *events({ pollIntervalMs = 50, signal } = {}) {
    for (;;) {
      const event = await this.nextEvent(pollIntervalMs, { signal });
      if (event) {
        yield event;
      } else if (this.finished) {
        return;
      } else {
        await nextTurn();
      }
    }
  }

  [Symbol.asyncIterator]() {
    return this.events();
  }

  cancel() {
    if (!this._closed) {
      this._cancelled = true;
      this._inner.cancel();
    }
  }

  close() {
    if (!this._closed) {
      this._closed = true;
      this._inner.close();
    }
  }

  [Symbol.dispose]() {
    this.close();
  }
}

/** pool.replay(options), kept as a function for older programs. */
async function* replay(pool, options = {}) {
  yield* pool.replay(options);
}

module.exports = {
  Client,
  Pool,
  Stream,
  Lite3Stream,
  UdpClient,
  UdpPool,
  UdpFollow,
  UdpStart,
  Message,
  DEFAULT_POOL_DIR,
  DEFAULT_POOL_SIZE,
  DEFAULT_POOL_SIZE_BYTES,
  Durability,
  ErrorKind,
  PlasmiteNativeError,
  RemoteClient,
  RemoteError,
  RemotePool,
  parseMessage,
  replay,
};
