"use strict";
/*
 * remote.js — pools of a `pls serve` server over its HTTP API (v0), in plain
 * JavaScript over the global fetch: no native code, so it works where the
 * addon is unavailable.
 *
 * Transport rules (as release 1.2.1): a bearer token is never sent over
 * plain HTTP to a host other than loopback, and redirects are never
 * followed.
 */

const { messageFromEnvelope, parseMessageJson } = require("./message");
const { ErrorKind, mapDurability, mapErrorKind } = require("./mappings");

/** A failure answered by the server (or a terminal error line of a tail):
 *  HTTP status, kind (an ErrorKind number; unknown kinds are Io), and the
 *  error's message, hint, path, seq and offset when present. */
class RemoteError extends Error {
  constructor(payload, status) {
    const error = payload && payload.error ? payload.error : payload;
    super(error && error.message ? error.message : `Remote error ${status}`);
    this.name = "RemoteError";
    this.status = status;
    this.kind = mapErrorKind(error && error.kind, ErrorKind.Io);
    this.hint = error && error.hint ? error.hint : undefined;
    this.path = error && error.path ? error.path : undefined;
    this.seq = error && error.seq !== undefined ? plainNumber(error.seq) : undefined;
    this.offset = error && error.offset !== undefined ? error.offset : undefined;
  }
}

function plainNumber(value) {
  if (typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  return value;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function checkTransport(url, token) {
  if (token && url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new Error("remote bearer tokens require HTTPS outside loopback");
  }
}

function checkRedirect(response) {
  if (REDIRECTS.has(response.status)) {
    throw new Error(
      `remote server redirected the request (HTTP ${response.status}); redirects are not followed`,
    );
  }
}

function baseUrlOf(raw) {
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("remote base URL must use http or https");
  }
  if (url.pathname && url.pathname !== "/") {
    throw new Error("remote base URL must not include a path");
  }
  url.pathname = "/";
  url.search = "";
  url.hash = "";
  return url;
}

function urlFor(base, segments) {
  const url = new URL(base.toString());
  url.pathname = "/" + segments.map((s) => encodeURIComponent(s)).join("/");
  return url;
}

async function errorFrom(response) {
  let payload = null;
  try {
    payload = parseMessageJson(await response.text());
  } catch {
    payload = null;
  }
  return new RemoteError(payload, response.status);
}

/** A client of one server: baseUrl is http(s)://host:port with no path. */
class RemoteClient {
  /** @param {string} baseUrl @param {{token?: string}} [options] */
  constructor(baseUrl, options = {}) {
    this.baseUrl = baseUrlOf(baseUrl);
    this.token = options.token || null;
  }

  /** Sets the bearer token (the secret of an access key); returns this. */
  withToken(token) {
    this.token = token;
    return this;
  }

  /** Creates a pool; resolves to the server's pool info. */
  async createPool(pool, sizeBytes) {
    const body = { pool, size_bytes: Number(sizeBytes) };
    return (await this._json("POST", urlFor(this.baseUrl, ["v0", "pools"]), body)).pool;
  }

  /** Checks that the pool exists; resolves to a RemotePool. */
  async openPool(pool) {
    await this._json("POST", urlFor(this.baseUrl, ["v0", "pools", "open"]), { pool });
    return new RemotePool(this, pool);
  }

  /** Resolves to the pool's info (name, path, sizes, bounds, metrics). */
  async poolInfo(pool) {
    return (await this._json("GET", urlFor(this.baseUrl, ["v0", "pools", pool, "info"]))).pool;
  }

  /** Resolves to the server's pool infos. */
  async listPools() {
    return (await this._json("GET", urlFor(this.baseUrl, ["v0", "pools"]))).pools;
  }

  async deletePool(pool) {
    await this._json("DELETE", urlFor(this.baseUrl, ["v0", "pools", pool]));
  }

  _headers() {
    const headers = { Accept: "application/json" };
    if (this.token) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    return headers;
  }

  async _json(method, url, body = undefined, signal = undefined) {
    checkTransport(url, this.token);
    const headers = this._headers();
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(url.toString(), { method, headers, body: payload, redirect: "manual", signal });
    checkRedirect(response);
    if (!response.ok) {
      throw await errorFrom(response);
    }
    if (response.status === 204) {
      return null;
    }
    return parseMessageJson(await response.text(), "message");
  }

  /** GET url as a stream (controller aborts it). */
  async _requestStream(url, controller) {
    checkTransport(url, this.token);
    const response = await fetch(url.toString(), {
      method: "GET",
      headers: this._headers(),
      signal: controller.signal,
      redirect: "manual",
    });
    checkRedirect(response);
    if (!response.ok) {
      throw await errorFrom(response);
    }
    return response;
  }
}

/** A pool of a RemoteClient's server. */
class RemotePool {
  constructor(client, pool) {
    this.client = client;
    this.pool = pool;
  }

  poolRef() {
    return this.pool;
  }

  /** Appends data with tags; resolves to the stored Message. durability is
   *  checked before any request. */
  async append(data, tags = [], durability = "fast") {
    const body = { data, tags, durability: mapDurability(durability) };
    const url = urlFor(this.client.baseUrl, ["v0", "pools", this.pool, "append"]);
    return messageFromEnvelope((await this.client._json("POST", url, body)).message);
  }

  /** Resolves to message seq. */
  async get(seq) {
    const url = urlFor(this.client.baseUrl, ["v0", "pools", this.pool, "messages", String(seq)]);
    return messageFromEnvelope((await this.client._json("GET", url)).message);
  }

  /**
   * Messages of one /tail request (the server ends it after timeoutMs
   * without messages, 30 s by default, or after maxMessages). A terminal
   * error line rejects with RemoteError. Stopping the loop, or signal,
   * aborts the request.
   */
  async *tail(options = {}) {
    const url = urlFor(this.client.baseUrl, ["v0", "pools", this.pool, "tail"]);
    const q = url.searchParams;
    if (options.sinceSeq !== undefined) q.set("since_seq", String(options.sinceSeq));
    if (options.maxMessages !== undefined) q.set("max", String(options.maxMessages));
    if (options.timeoutMs !== undefined) q.set("timeout_ms", String(options.timeoutMs));
    if (options.errorOnGap === true) q.set("gap_policy", "error");
    if (options.tags !== undefined) {
      for (const tag of Array.isArray(options.tags) ? options.tags : [options.tags]) {
        q.append("tag", String(tag));
      }
    }
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = () => controller.abort(outer.reason);
    if (outer) {
      if (outer.aborted) onAbort();
      else outer.addEventListener("abort", onAbort, { once: true });
    }
    try {
      const response = await this.client._requestStream(url, controller);
      if (!response.body) {
        throw new Error("remote tail response has no body");
      }
      for await (const line of lines(response.body)) {
        if (!line.trim()) continue;
        const payload = parseMessageJson(line);
        if (payload && payload.error) {
          throw new RemoteError(payload, response.status);
        }
        yield messageFromEnvelope(payload, Buffer.from(line));
      }
    } finally {
      outer?.removeEventListener("abort", onAbort);
      controller.abort();
    }
  }
}

/** The lines of a web ReadableStream of UTF-8 text. */
async function* lines(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        yield rest.slice(0, nl).replace(/\r$/, "");
        rest = rest.slice(nl + 1);
      }
    }
    rest += decoder.decode();
    if (rest) yield rest;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // a read still pending after an abort
    }
  }
}

module.exports = { RemoteClient, RemotePool, RemoteError };
