// Shared by every page: exact JSON (sequence numbers as BigInt), a JSON
// renderer that shows the server's own text, an SSE reader over fetch(),
// formatting, the top bar, notices, copying, and the "g" jump to a pool.
//
// Rule of every page: pool data enters the DOM only as text nodes
// (textContent, createTextNode). The CSP's Trusted Types make HTML sinks
// such as innerHTML throw, so a mistake fails loudly instead of opening a hole.
"use strict";

const P = (() => {
  const MAX_U64 = 18446744073709551615n;

  // ---- JSON tokens ----------------------------------------------------

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  // tokens lists the tokens of a valid JSON text: {t, s, e} with t one of
  // "{", "}", "[", "]", ":", ",", "str", "num", "lit" and s..e its span.
  function tokens(text) {
    const out = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) { i++; continue; }
      const ch = text[i];
      if (ch === '"') {
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new SyntaxError("unterminated string");
          let bs = 0;
          for (let k = q - 1; text[k] === "\\"; k--) bs++;
          j = q + 1;
          if (bs % 2 === 0) break;
        }
        out.push({ t: "str", s: i, e: j });
        i = j;
      } else if ("{}[]:,".includes(ch)) {
        out.push({ t: ch, s: i, e: i + 1 });
        i++;
      } else if (ch === "-" || (c >= 48 && c <= 57)) {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) throw new SyntaxError("bad number");
        out.push({ t: "num", s: i, e: NUMBER.lastIndex });
        i = NUMBER.lastIndex;
      } else {
        const word = text.startsWith("true", i) ? 4 : text.startsWith("null", i) ? 4 : text.startsWith("false", i) ? 5 : 0;
        if (!word) throw new SyntaxError("unexpected character");
        out.push({ t: "lit", s: i, e: i + word });
        i += word;
      }
    }
    return out;
  }

  // ---- exact parsing --------------------------------------------------

  // The protocol's u64 fields, by path ("#" is any array index). Only these
  // become BigInt; user data keeps ordinary JSON semantics and its own text.
  const EXACT = [
    "seq", "message.seq", "error.seq",
    "bounds.oldest", "bounds.newest", "ring.first",
    "pool.bounds.oldest", "pool.bounds.newest", "pool.ring.first",
    "pools.#.bounds.oldest", "pools.#.bounds.newest", "pools.#.ring.first",
  ];
  const EXACT_SET = new Set(EXACT);
  const ENTER = new Set([""]);
  for (const p of EXACT) {
    const parts = p.split(".");
    for (let k = 1; k < parts.length; k++) ENTER.add(parts.slice(0, k).join("."));
  }
  // Values whose source text is kept: a message's data.
  const SPANS = new Set(["data", "message.data"]);
  const join = (a, b) => (a ? a + "." + b : String(b));

  // parse reads text as JSON with the protocol's sequence numbers as exact
  // BigInt. Throws SyntaxError on invalid JSON.
  function parse(text) {
    return parseWith(text).value;
  }

  // parseWith also returns the source text of the data members (spans).
  function parseWith(text) {
    const value = JSON.parse(text);
    const toks = tokens(text);
    const spans = {};
    let i = 0;
    const skip = () => {
      let depth = 0;
      do {
        const t = toks[i++].t;
        if (t === "{" || t === "[") depth++;
        else if (t === "}" || t === "]") depth--;
      } while (depth > 0);
    };
    const walk = (key, path) => {
      const start = i;
      const t = toks[i];
      if (SPANS.has(key)) {
        skip();
        spans[key] = text.slice(t.s, toks[i - 1].e);
        return;
      }
      if (t.t === "{" || t.t === "[") {
        if (!ENTER.has(key)) { skip(); return; }
        i++;
        let index = 0;
        while (toks[i].t !== "}" && toks[i].t !== "]") {
          if (t.t === "{") {
            const name = JSON.parse(text.slice(toks[i].s, toks[i].e));
            i += 2;
            walk(join(key, name), path.concat(name));
          } else {
            walk(join(key, "#"), path.concat(index++));
          }
          if (toks[i].t === ",") i++;
        }
        i++;
        return;
      }
      i = start + 1;
      if (t.t === "num" && EXACT_SET.has(key)) {
        const digits = text.slice(t.s, t.e);
        if (/^\d+$/.test(digits)) setAt(value, path, BigInt(digits));
      }
    };
    walk("", []);
    return { value, spans };
  }

  function setAt(root, path, v) {
    let o = root;
    for (let k = 0; k < path.length - 1; k++) o = o[path[k]];
    o[path[path.length - 1]] = v;
  }

  // message reads one message envelope (at the top, or under "message")
  // into {seq, time, tags, data, raw}: raw is the data's source text.
  function message(text, under) {
    const { value, spans } = parseWith(text);
    const m = under ? value[under] : value;
    return {
      seq: m.seq,
      time: m.time,
      tags: (m.meta && Array.isArray(m.meta.tags)) ? m.meta.tags.map(String) : [],
      meta: m.meta || {},
      data: m.data,
      raw: spans[under ? under + ".data" : "data"] ?? JSON.stringify(m.data),
    };
  }

  // envelopeText renders a message as the server would, with its exact seq
  // and its data's own text, indented when pretty.
  function envelopeText(m, pretty) {
    const meta = JSON.stringify(m.meta);
    if (!pretty) return '{"seq":' + m.seq + ',"time":' + JSON.stringify(m.time) + ',"meta":' + meta + ',"data":' + minify(m.raw) + "}";
    return "{\n  \"seq\": " + m.seq + ",\n  \"time\": " + JSON.stringify(m.time) + ",\n  \"meta\": " +
      indentText(meta, "  ") + ",\n  \"data\": " + indentText(m.raw, "  ") + "\n}";
  }

  // ---- rendering JSON from its own text ------------------------------------

  // jsonPieces yields [class, text] pieces of text, compact ("a": 1, …) or
  // indented, keeping every number and string exactly as written.
  function jsonPieces(text, indent, base = "") {
    const toks = tokens(text);
    const out = [];
    let depth = 0;
    const nl = () => out.push(["", "\n" + base + indent.repeat(depth)]);
    for (let k = 0; k < toks.length; k++) {
      const tk = toks[k];
      const s = text.slice(tk.s, tk.e);
      const next = toks[k + 1];
      switch (tk.t) {
        case "{": case "[":
          out.push(["j-p", s]);
          if (next && (next.t === "}" || next.t === "]")) { out.push(["j-p", text[next.s]]); k++; break; }
          depth++;
          if (indent) nl();
          break;
        case "}": case "]":
          depth--;
          if (indent) nl();
          out.push(["j-p", s]);
          break;
        case ":": out.push(["j-p", ": "]); break;
        case ",":
          out.push(["j-p", ","]);
          if (indent) nl(); else out.push(["", " "]);
          break;
        case "str": out.push([next && next.t === ":" ? "j-k" : "j-s", s]); break;
        case "num": out.push(["j-n", s]); break;
        default: out.push(["j-l", s]);
      }
    }
    return out;
  }

  // minify drops insignificant white space only.
  function minify(text) {
    return tokens(text).map((tk) => text.slice(tk.s, tk.e)).join("");
  }
  const indentText = (text, base) => jsonPieces(text, "  ", base).map((p) => p[1]).join("");

  // renderJSON fills node (whose own colour is the punctuation's, class
  // "json") with coloured spans of text, compact or indented when pretty; at
  // most limit characters, then an ellipsis. Punctuation and white space
  // stay plain text between the spans: half the nodes.
  function renderJSON(node, text, pretty, limit = Infinity) {
    const frag = document.createDocumentFragment();
    let used = 0;
    let plain = "";
    for (const [cls, s] of jsonPieces(text, pretty ? "  " : "")) {
      if (used >= limit) { plain += " …"; break; }
      const part = used + s.length > limit ? s.slice(0, limit - used) : s;
      used += part.length;
      if (!cls || cls === "j-p") { plain += part; continue; }
      if (plain) { frag.append(plain); plain = ""; }
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = part;
      frag.append(span);
    }
    if (plain) frag.append(plain);
    node.classList.add("json");
    node.replaceChildren(frag);
  }

  // ---- DOM --------------------------------------------------------------

  // el builds an element: attrs are attributes (on* are listeners; "text"
  // is textContent), children are nodes or strings (as text).
  function el(tag, attrs, ...children) {
    const node = tag.includes(":")
      ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(tag.indexOf(":") + 1))
      : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c != null && c !== false) node.append(c);
    return node;
  }
  const svg = (tag, attrs, ...children) => el("svg:" + tag, attrs, ...children);

  // keepChildren makes nodes the children of parent, in order, moving only
  // what is out of place: a node left where it was keeps its focus and hover.
  function keepChildren(parent, nodes) {
    const wanted = new Set(nodes);
    for (const c of [...parent.children]) if (!wanted.has(c)) c.remove();
    nodes.forEach((n, k) => { if (parent.children[k] !== n) parent.insertBefore(n, parent.children[k] || null); });
  }
  const $ = (id) => document.getElementById(id);

  // ---- formatting -------------------------------------------------------

  // Formatters are made once: Intl objects are costly to create per call.
  const counts = new Intl.NumberFormat("en-US");
  const days = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "short", day: "numeric", weekday: "short" });
  const count = (n) => (n == null ? "—" : counts.format(n));
  function bytes(n) {
    if (n == null) return "—";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let u = 0;
    let v = Number(n);
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return (u === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0).replace(/\.0$/, "")) + " " + units[u];
  }
  function ago(ms) {
    if (ms == null || !isFinite(ms)) return "never";
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 2) return "just now";
    if (s < 60) return s + "s ago";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "m ago";
    const h = Math.floor(m / 60);
    if (h < 48) return h + "h " + (m % 60) + "m ago";
    return Math.floor(h / 24) + "d ago";
  }
  // timeMs reads an RFC 3339 time with up to 9 fractional digits.
  function timeMs(iso) {
    if (!iso) return NaN;
    return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
  }
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  function clock(iso) {
    const d = new Date(timeMs(iso));
    if (isNaN(d)) return "—";
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + pad(d.getMilliseconds(), 3);
  }
  function day(iso) {
    const d = new Date(timeMs(iso));
    return isNaN(d) ? "" : days.format(d);
  }
  const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : "'" + String(s).replaceAll("'", "'\\''") + "'");
  // dirOf is the directory part of a pool's path.
  const dirOf = (path) => (path ? String(path).replace(/[\\/][^\\/]*$/, "") : "");
  function tagTone(tag) {
    const t = tag.toLowerCase();
    if (/error|fail|panic|fatal|crit/.test(t)) return "error";
    if (/warn|retry|timeout|cancel/.test(t)) return "warn";
    if (/\bok\b|done|success|pass|ready/.test(t)) return "ok";
    return "";
  }
  const tag = (t) => el("span", { class: "tag " + tagTone(t), title: t }, t);

  // ---- HTTP -------------------------------------------------------------

  // HTTPError carries a response's status and the envelope's message.
  class HTTPError extends Error {
    constructor(status, message, kind) { super(message); this.status = status; this.kind = kind; }
  }
  async function failure(resp) {
    let msg = resp.status + " " + resp.statusText;
    let kind;
    try {
      const env = JSON.parse(await resp.text());
      if (env && env.error) { msg = env.error.message || msg; kind = env.error.kind; }
    } catch (_) { /* not an envelope */ }
    return new HTTPError(resp.status, msg, kind);
  }
  // getJSON fetches url and parses it exactly; non-2xx throws HTTPError.
  async function getJSON(url, init) {
    const resp = await fetch(url, { cache: "no-store", ...init });
    if (!resp.ok) throw await failure(resp);
    return parse(await resp.text());
  }
  async function sendJSON(method, url, body, headers) {
    const resp = await fetch(url, {
      method, cache: "no-store", body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });
    if (!resp.ok) throw await failure(resp);
    return resp.text();
  }

  // stream reads url as server-sent events, calling onEvent(name, data) per
  // frame until the stream ends (resolves), onEvent returns false (cancels
  // and resolves) or it fails (rejects; HTTPError for a non-2xx status).
  // onOpen runs once the response is a 200.
  async function stream(url, { signal, onOpen, onEvent }) {
    const resp = await fetch(url, { cache: "no-store", signal, headers: { accept: "text/event-stream" } });
    if (!resp.ok || !resp.body) throw await failure(resp);
    if (onOpen) onOpen();
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value.includes("\r") ? value.replace(/\r\n?/g, "\n") : value;
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let name = "message";
          const data = [];
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) continue;
            const at = line.indexOf(":");
            const field = at < 0 ? line : line.slice(0, at);
            const val = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
            if (field === "event") name = val;
            else if (field === "data") data.push(val);
          }
          if (!data.length) continue;
          if (onEvent(name, data.join("\n")) === false) return;
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  const RETRY = 1000;

  // tail follows a pool's messages through its SSE events route until
  // signal aborts: from next() (a BigInt, or null for the oldest), again
  // from next() after every drop. A stream that ends at its deadline
  // reconnects at once, a failure after a second (onDrop tells). A 401
  // sends the visitor to sign in.
  async function tail(name, { next, onMessage, onOpen, onDrop, signal }) {
    while (!signal.aborted) {
      const seq = next();
      if (seq != null && seq > MAX_U64) return;
      const q = new URLSearchParams({ gap_policy: "continue" });
      if (seq != null) q.set("since_seq", String(seq));
      let failed = false;
      const began = performance.now();
      try {
        await stream(uiPoolURL(name) + "/events?" + q, {
          signal, onOpen,
          onEvent: (ev, data) => {
            if (ev === "error") { failed = true; return false; }
            if (ev === "message") onMessage(message(data));
          },
        });
      } catch (err) {
        if (signal.aborted) return;
        if (err.status === 401) { toLogin(); return; }
        failed = true;
      }
      if (signal.aborted) return;
      if (failed && onDrop) onDrop();
      if (failed || performance.now() - began < RETRY) await sleep(RETRY, signal);
    }
  }

  // tailStart is the first seq of the last count messages of a pool with
  // these bounds (null for an empty pool: start at its oldest).
  function tailStart(bounds, count) {
    if (!bounds || typeof bounds.newest !== "bigint") return null;
    const oldest = typeof bounds.oldest === "bigint" ? bounds.oldest : 1n;
    const start = bounds.newest - BigInt(count) + 1n;
    return start > oldest ? start : oldest;
  }

  const sleep = (ms, signal) => new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (signal) signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
  });
  const poolURL = (name) => "/v0/pools/" + encodeURIComponent(name);
  const uiPoolURL = (name) => "/v0/ui/pools/" + encodeURIComponent(name);
  const pageURL = (name) => "/ui/pools/" + encodeURIComponent(name);

  // ---- page frame -------------------------------------------------------

  // session asks the server who we are: {authenticated, local}. Pages that
  // need pools send a remote visitor without a session to the sign-in.
  async function session() {
    const resp = await fetch("/v0/browser/session", { cache: "no-store" });
    if (resp.status === 401) return { authenticated: false, local: false };
    if (!resp.ok) throw await failure(resp);
    return resp.json();
  }
  function toLogin() {
    location.assign("/ui?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
  }

  // frame builds the top bar; current names the page ("pools", "map", "access").
  function frame(current, who) {
    const link = (href, text, key) => el("a", { href, "aria-current": key === current ? "page" : null }, text);
    const side = el("div", { class: "side" },
      el("span", { class: "dir", id: "dir", hidden: true }),
      el("span", { class: "keys-hint" }, el("kbd", null, "g"), " jump to a pool"),
      who.local
        ? el("span", { class: "pill live plain", title: "The local listener: no key needed" }, "Local")
        : el("span", { class: "pill plain" }, location.hostname));
    if (!who.local && who.authenticated) {
      side.append(el("button", {
        type: "button", class: "quiet",
        onclick: async () => { await fetch("/v0/browser/session", { method: "DELETE" }); location.assign("/ui"); },
      }, "Log out"));
    }
    const bar = el("header", { class: "topbar" },
      el("a", { class: "brand", href: "/ui" }, el("img", { src: "/ui/assets/icon.svg", alt: "" }), el("span", null, "plasmite")),
      el("nav", { class: "nav", "aria-label": "Pages" },
        link("/ui", "Pools", "pools"), link("/ui/map", "Ring map", "map"),
        who.local ? link("/access", "Access", "access") : null),
      side);
    document.body.prepend(bar);
  }

  // showDir names the served directory in the top bar.
  function showDir(dir) {
    const node = $("dir");
    if (!node || !dir || node.dataset.dir === dir) return;
    node.dataset.dir = dir;
    const cut = Math.max(dir.lastIndexOf("/"), dir.lastIndexOf("\\")) + 1;
    node.replaceChildren(dir.slice(0, cut), el("b", null, dir.slice(cut)));
    node.title = "Serving " + dir;
    node.hidden = false;
  }

  let noticeTimer;
  function notice(text) {
    let node = $("notice");
    if (!node) { node = el("div", { id: "notice", role: "status" }); document.body.append(node); }
    node.textContent = text;
    node.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { node.hidden = true; }, 6000);
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
      if (button) {
        const was = button.textContent;
        button.classList.add("done");
        button.textContent = "Copied";
        setTimeout(() => { button.classList.remove("done"); button.textContent = was; }, 1200);
      }
    } catch (_) {
      notice("Copying is not allowed here. Select and copy: " + text);
    }
  }

  // ---- jump to a pool: g, a few letters, Enter ------------------------

  function openJump() {
    if (document.querySelector("dialog.jump")) return;
    const input = el("input", { type: "text", placeholder: "Jump to a pool…", "aria-label": "Pool name", autocomplete: "off", spellcheck: "false" });
    const list = el("ol", { role: "listbox" });
    const dialog = el("dialog", { class: "jump", "aria-label": "Jump to a pool" }, input, list,
      el("div", { class: "keys" }, "↑ ↓ choose · Enter open · Esc close"));
    let names = [];
    let at = 0;
    const shown = () => names.filter((n) => n.toLowerCase().includes(input.value.trim().toLowerCase()));
    const go = (n) => location.assign(pageURL(n));
    const render = () => {
      const m = shown();
      at = Math.max(0, Math.min(at, m.length - 1));
      list.replaceChildren(...m.map((n, k) => el("li", { role: "option", "aria-selected": String(k === at), onclick: () => go(n) }, n)));
      if (!m.length) list.replaceChildren(el("li", { class: "none" }, names.length ? "No pool matches." : "No pools."));
      if (list.children[at]) list.children[at].scrollIntoView({ block: "nearest" });
    };
    input.addEventListener("input", () => { at = 0; render(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") { e.preventDefault(); at++; render(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); at--; render(); }
      else if (e.key === "Enter") { e.preventDefault(); const n = shown()[at]; if (n) go(n); }
    });
    dialog.addEventListener("close", () => dialog.remove());
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    document.body.append(dialog);
    dialog.showModal();
    render();
    getJSON("/v0/ui/pools").then((doc) => {
      names = (doc.pools || []).map((p) => p.name).sort((a, b) => a.localeCompare(b));
      render();
    }).catch(() => render());
  }
  document.addEventListener("keydown", (e) => {
    if (e.key !== "g" || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.target instanceof Element && e.target.closest("input, textarea, select, [contenteditable], dialog")) return;
    e.preventDefault();
    openJump();
  });

  // start runs a page: the session first, then the top bar, then main(who).
  async function start(current, main, { needPools = true } = {}) {
    let who;
    try {
      who = await session();
    } catch (err) {
      frame(current, { local: false });
      notice("Could not reach the server: " + err.message + ". Reload to retry.");
      return;
    }
    if (needPools && !who.authenticated) { toLogin(); return; }
    frame(current, who);
    await main(who);
  }

  return {
    MAX_U64, tokens, parse, message, envelopeText, renderJSON, minify,
    el, svg, keepChildren, $, count, bytes, ago, timeMs, clock, day, quote, dirOf, tag,
    HTTPError, getJSON, sendJSON, stream, tail, tailStart, sleep, poolURL, uiPoolURL, pageURL,
    session, toLogin, showDir, notice, copy, start,
  };
})();
