"use strict";
/*
 * message.js — the Message model shared by local pools and remote pools,
 * and JSON parsing that keeps message sequence numbers exact over the whole
 * unsigned 64-bit range (JSON.parse alone rounds numbers above 2^53).
 */

const UINT64_MAX = (1n << 64n) - 1n;

/** seq as a bigint: from a bigint, a safe integer or a decimal string. */
function toSeq(value) {
  let seq;
  if (typeof value === "bigint") {
    seq = value;
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    seq = BigInt(value);
  } else if (typeof value === "string" && /^[0-9]+$/.test(value)) {
    const digits = value.replace(/^0+(?=.)/, "");
    if (digits.length > 20) {
      throw new RangeError("message seq must fit an unsigned 64-bit integer");
    }
    seq = BigInt(digits);
  } else {
    throw new TypeError(
      "message seq must be an unsigned integer; use bigint or a decimal string for large values",
    );
  }
  if (seq < 0n || seq > UINT64_MAX) {
    throw new RangeError("message seq must fit an unsigned 64-bit integer");
  }
  return seq;
}

/** The exact integer a JSON number token denotes, or an error if it is not
 *  an unsigned 64-bit integer (1e3 and 10.0 are integers; 1.5 is not). */
function seqFromToken(token) {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(token);
  if (!m) {
    throw new TypeError("message seq must be an unsigned integer");
  }
  const [, sign, intPart, frac = "", exp = "0"] = m;
  const digits = (intPart + frac).replace(/^0+/, "");
  if (!digits) {
    return 0n;
  }
  const scale = Number(exp) - frac.length;
  const intLen = digits.length + scale;
  if (sign || !Number.isSafeInteger(scale) || intLen > 20) {
    throw new RangeError("message seq must fit an unsigned 64-bit integer");
  }
  if (intLen <= 0 || (scale < 0 && /[1-9]/.test(digits.slice(intLen)))) {
    throw new TypeError("message seq must be an unsigned integer");
  }
  return toSeq(scale < 0 ? digits.slice(0, intLen) : digits + "0".repeat(scale));
}

// ---- locating a number token in JSON text --------------------------------
// Used only when JSON.parse produced a seq that is not a safe integer, so
// the cost is off the common path. The text has already been parsed, so
// it is valid JSON.

function skipWs(text, i) {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

function skipString(text, i) {
  // text[i] is the opening quote; returns the index after the closing one.
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return i;
}

function skipValue(text, i) {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i) - 1;
      } else if (d === "{" || d === "[") {
        depth++;
      } else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return i;
  }
  let j = i;
  while (j < text.length && !",}] \n\r\t".includes(text[j])) j++;
  return j;
}

/** The raw text of member key of the object starting at i, or null. */
function memberText(text, i, key, wantObjectStart) {
  i = skipWs(text, i);
  if (text[i] !== "{") return null;
  i = skipWs(text, i + 1);
  while (i < text.length && text[i] !== "}") {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd));
    i = skipWs(text, keyEnd);
    i = skipWs(text, i + 1); // ':'
    const end = skipValue(text, i);
    if (name === key) {
      return wantObjectStart ? i : text.slice(i, end);
    }
    i = skipWs(text, end);
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return null;
}

/**
 * JSON.parse, with the seq of the envelope (the top-level value, or its
 * member envelopeKey) turned into an exact bigint from its source token
 * (1e3 is 1000n; 1.5, -1 and 2^64 are refused). Other numbers keep
 * JSON.parse's meaning. trusted: the text is libplasmite's envelope, whose
 * seq is a plain integer, so a safe number is taken as is.
 */
function parseMessageJson(text, envelopeKey = null, trusted = false) {
  const parsed = JSON.parse(text);
  const envelope = envelopeKey === null ? parsed : parsed?.[envelopeKey];
  if (envelope && typeof envelope === "object" && typeof envelope.seq === "number") {
    if (trusted && Number.isSafeInteger(envelope.seq)) {
      envelope.seq = BigInt(envelope.seq);
    } else {
      const start = envelopeKey === null ? 0 : memberText(text, 0, envelopeKey, true);
      const token = start === null ? null : memberText(text, start, "seq", false);
      envelope.seq = seqFromToken(token ?? String(envelope.seq));
    }
  }
  return parsed;
}

const EMPTY_TAGS = Object.freeze([]);

function freezeTags(meta) {
  if (!meta || typeof meta !== "object" || !Array.isArray(meta.tags)) {
    return EMPTY_TAGS;
  }
  return Object.freeze(meta.tags.map(String));
}

function seqForJson(seq) {
  const n = Number(seq);
  return Number.isSafeInteger(n) ? n : seq.toString();
}

const TRUSTED = Symbol("trusted");
const RECEIPT = Symbol("receipt");

/**
 * One message: seq (bigint), time (Date, from timeRfc3339), data, meta
 * (frozen, with frozen tags) and raw (the envelope's JSON bytes: the source
 * bytes when there are any, otherwise rebuilt from the fields).
 */
class Message {
  /**
   * @param {object} envelope {seq, time, meta?: {tags?}, data}
   * @param {Buffer|string|null} [raw] the envelope's JSON text, if known
   */
  constructor(envelope, raw = null, trusted = undefined, time = undefined, meta = undefined, data = undefined) {
    if (envelope === RECEIPT) {
      // A Message made from its parts (messageFromReceipt, EnvelopeReader;
      // trusted is its seq): the fields are set in the order below, which
      // gives every Message one shape.
      this.seq = trusted;
      this.timeRfc3339 = time;
      this._time = undefined;
      this.data = data;
      this.meta = meta;
      this._raw = raw;
      return;
    }
    if (!envelope || typeof envelope !== "object") {
      throw new TypeError("message envelope must be an object");
    }
    this.seq = toSeq(envelope.seq);
    this.timeRfc3339 = String(envelope.time);
    this._time = undefined;
    if (trusted !== TRUSTED) {
      this._time = parseTime(this.timeRfc3339);
    }
    this.data = envelope.data;
    this.meta = Object.freeze({ tags: freezeTags(envelope.meta) });
    this._raw = Buffer.isBuffer(raw) || typeof raw === "string" ? raw : null;
  }

  /** The append time as a Date (millisecond precision). */
  get time() {
    if (this._time === undefined) {
      this._time = parseTime(this.timeRfc3339);
    }
    return this._time;
  }

  /** The message's tags (frozen). */
  get tags() {
    return this.meta.tags;
  }

  /** The envelope as JSON bytes. */
  get raw() {
    if (typeof this._raw === "string") {
      this._raw = Buffer.from(this._raw);
    } else if (this._raw === null) {
      this._raw = Buffer.from(
        JSON.stringify({
          seq: seqForJson(this.seq),
          time: this.timeRfc3339,
          meta: { tags: [...this.meta.tags] },
          data: this.data,
        }),
      );
    }
    return this._raw;
  }

  toJSON() {
    return { seq: seqForJson(this.seq), time: this.timeRfc3339, meta: { tags: [...this.meta.tags] }, data: this.data };
  }
}

function parseTime(text) {
  const time = new Date(text);
  if (!Number.isFinite(time.getTime())) {
    throw new TypeError("message time must be RFC3339");
  }
  return time;
}

function messageFromEnvelope(envelope, raw = null) {
  return new Message(envelope, raw);
}

/** A Message from envelope text written by libplasmite (valid by contract). */
function messageFromText(text) {
  return new Message(parseMessageJson(text, null, true), text, TRUSTED);
}

// The RFC 3339 text of a time, as libplasmite writes it: UTC, the fraction
// of a second trimmed of trailing zeros and omitted when zero. The part up
// to the seconds is kept for the second it was made for; the fraction is
// put together from three-digit groups, the last one without its trailing
// zeros.
let clockSec = NaN;
let clockDot = ""; // "2026-02-02T23:45:00."
const GROUP = [];
const GROUP_LAST = []; // trimmed, then "Z"
for (let i = 0; i < 1000; i++) {
  const digits = String(i).padStart(3, "0");
  GROUP.push(digits);
  GROUP_LAST.push(digits.replace(/0+$/, "") + "Z");
}

function rfc3339(sec, nsec) {
  if (sec !== clockSec) {
    clockSec = sec;
    clockDot = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  if (nsec === 0) {
    return clockDot.slice(0, 19) + "Z";
  }
  const hi = (nsec / 1e6) | 0;
  const mid = ((nsec / 1e3) | 0) % 1000;
  const lo = nsec % 1000;
  if (lo !== 0) {
    return clockDot + GROUP[hi] + GROUP[mid] + GROUP_LAST[lo];
  }
  if (mid !== 0) {
    return clockDot + GROUP[hi] + GROUP_LAST[mid];
  }
  return clockDot + GROUP_LAST[hi];
}

/**
 * The envelope text of an appended message whose data text is canonical
 * (plsm_pool_append_json_receipt): byte for byte what libplasmite writes.
 * middle: envelopeMiddle of the message's tags.
 */
function envelopeText(seq, time, middle, dataText) {
  return '{"seq":' + seq + ',"time":"' + time + middle + dataText + "}";
}

/** What an envelope holds between the time and the data, for tags whose
 *  JSON array is tagsJson. */
function envelopeMiddle(tagsJson) {
  return '","meta":{"tags":' + tagsJson + '},"data":';
}

/**
 * The Message of an append whose JSON text (dataText) is canonical: what
 * reading it back gives (the same fields, raw the same text), made without
 * reading it. seq: bigint (seqText: its decimal digits); the time as Unix
 * seconds and nanoseconds; tags: {middle, frozen} (middle: envelopeMiddle of
 * them; frozen: the tags as stored, a frozen array of strings).
 */
function messageFromReceipt(seq, seqText, sec, nsec, tags, dataText) {
  const time = rfc3339(sec, nsec);
  const raw = envelopeText(seqText, time, tags.middle, dataText);
  return new Message(RECEIPT, raw, seq, time, Object.freeze({ tags: tags.frozen }), JSON.parse(dataText));
}

/**
 * A copy of s that does not keep alive the string s was sliced from (V8
 * keeps the whole of it for a slice): a Message must not hold a batch of
 * envelopes in memory because it came from one.
 */
function ownString(s) {
  return ("\0" + s).slice(1);
}

/**
 * Reads the envelopes of a stream batch (native.js takeBatch) in order, as
 * Messages or texts: a Message is made from the envelope's parts (seq, time,
 * tags, data) as messageFromText would make it from the whole, with one
 * frozen tags array while the tags text stays the same.
 */
class EnvelopeReader {
  /** layout: {F, FLAG_SHAPED, BATCH_FIELDS} of native.js */
  constructor(layout) {
    this._l = layout;
    this._b = null;
    this._i = 0;
    this._tagsText = null;
    this._tags = null;
  }

  /** Whether an envelope is left. */
  get pending() {
    return this._b !== null && this._i < this._b.n;
  }

  /** Starts reading batch b (any envelope left of the last one is dropped). */
  reset(b) {
    this._b = b;
    this._i = 0;
  }

  /** The next envelope's text. */
  nextText() {
    const { F, BATCH_FIELDS } = this._l;
    const k = this._i++ * BATCH_FIELDS;
    return ownString(this._b.text.slice(this._b.fields[k + F.START], this._b.fields[k + F.END]));
  }

  /** The next envelope as a Message. */
  nextMessage() {
    const { F, FLAG_SHAPED, BATCH_FIELDS } = this._l;
    const b = this._b;
    const i = this._i++;
    const f = b.fields;
    const k = i * BATCH_FIELDS;
    const text = b.text;
    const raw = ownString(text.slice(f[k + F.START], f[k + F.END]));
    const flags = f[k + F.FLAGS];
    if ((flags & FLAG_SHAPED) === 0) {
      return messageFromText(raw);
    }
    const tagsText = text.slice(f[k + F.TAGS], f[k + F.TAGS_END]);
    if (tagsText !== this._tagsText) {
      this._tags = Object.freeze(JSON.parse(tagsText));
      this._tagsText = ownString(tagsText);
    }
    const data = JSON.parse(text.slice(f[k + F.DATA], f[k + F.END] - 1));
    const time = ownString(text.slice(f[k + F.TIME], f[k + F.TIME_END]));
    return new Message(RECEIPT, raw, b.seqs[i], time, Object.freeze({ tags: this._tags }), data);
  }
}

/**
 * A Message from envelope JSON bytes (Buffer), a Message (returned as is)
 * or an envelope object.
 */
function parseMessage(payload) {
  if (payload instanceof Message) {
    return payload;
  }
  if (Buffer.isBuffer(payload)) {
    return new Message(parseMessageJson(payload.toString("utf8")), payload);
  }
  if (typeof payload === "string") {
    return new Message(parseMessageJson(payload), payload);
  }
  if (payload && typeof payload === "object") {
    return new Message(payload);
  }
  throw new TypeError("payload must be Buffer, Message, or message envelope object");
}

module.exports = {
  EnvelopeReader,
  Message,
  UINT64_MAX,
  envelopeMiddle,
  envelopeText,
  messageFromEnvelope,
  messageFromReceipt,
  messageFromText,
  rfc3339,
  parseMessage,
  parseMessageJson,
  toSeq,
};
