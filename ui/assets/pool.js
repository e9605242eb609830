// One pool's page: the last N messages, then live (SSE from last+1 after
// every drop), gap notices, earlier pages, #seq deep links, a filter, a feed
// box, copyable commands, a messages-per-second chart and the pool's use.
"use strict";

(() => {
  const { el, $ } = P;
  const name = decodeURIComponent(location.pathname.replace(/^\/ui\/pools\//, ""));
  const params = new URLSearchParams(location.search);
  const requested = Number.parseInt(params.get("n") || "", 10);
  const N = Number.isFinite(requested) ? Math.min(2000, Math.max(1, requested)) : 400;
  const INFO_EVERY = 3000;

  const state = {
    who: null,
    info: null,
    infoAt: 0,          // performance.now() of the info
    skew: 0,            // server clock minus ours, ms (from the info's newest age)
    exists: null,       // null until the first info answer
    messages: [],       // shown messages, in seq order
    bySeq: new Map(),   // String(seq) -> message
    keep: N,            // how many to hold (grows with "load earlier")
    next: null,         // BigInt: the next seq the live stream asks for
    pending: [],        // arrived, not yet drawn
    live: null,         // AbortController of the live stream
    selected: null,
    unseen: 0,
    backlogEnd: null,   // newest seq at load: the deep link waits for it
    linked: false,
  };

  // ---- the log ----------------------------------------------------------

  function searchText(m) {
    return (m.tags.join(" ") + " " + m.raw).toLowerCase();
  }

  function row(m) {
    const s = String(m.seq);
    const data = el("span", { class: "data" });
    P.renderJSON(data, m.raw, false, 600);
    const node = el("div", { class: "row", "data-seq": s, id: "m" + s },
      el("span", { class: "seq" }, el("a", { href: "#" + s, tabindex: "-1" }, "#" + s)),
      el("span", { class: "time", title: m.time + "  (" + P.day(m.time) + ")" }, P.clock(m.time)),
      el("span", { class: "tags" }, ...m.tags.map(P.tag)),
      data);
    return node;
  }

  function gapNode(from, to) {
    const n = to - from + 1n;
    const text = n === 1n
      ? "Message #" + from + " was overwritten before it could be shown."
      : P.count(n) + " messages (#" + from + " – #" + to + ") were overwritten before they could be shown.";
    return el("div", { class: "gap", role: "note" }, text);
  }

  const log = () => $("log");
  const atBottom = () => log().scrollHeight - log().scrollTop - log().clientHeight < 48;
  function toBottom() {
    log().scrollTop = log().scrollHeight;
    state.unseen = 0;
    $("jump").hidden = true;
  }

  // add queues a message from the live stream; messages are drawn once per
  // frame, in batches.
  function add(m) {
    if (state.next != null && m.seq < state.next) return;
    if (state.next != null && m.seq > state.next) m.gap = [state.next, m.seq - 1n];
    state.next = m.seq + 1n;
    m.search = searchText(m);
    state.pending.push(m);
    if (state.pending.length === 1) requestAnimationFrame(flush);
  }

  function flush() {
    const batch = state.pending;
    state.pending = [];
    if (!batch.length) return;
    const follow = atBottom() || state.messages.length === 0;
    const frag = document.createDocumentFragment();
    const needle = filterText();
    for (const m of batch) {
      m.node = row(m);
      if (state.backlogEnd == null || m.seq > state.backlogEnd) m.node.classList.add("new");
      if (m.gap) m.gapNode = gapNode(m.gap[0], m.gap[1]);
      if (m.gapNode) frag.append(m.gapNode);
      m.node.hidden = !matches(m, needle);
      frag.append(m.node);
      state.messages.push(m);
      state.bySeq.set(String(m.seq), m);
      rate.count(m);
    }
    $("rows").append(frag);
    trim();
    if (follow) toBottom();
    else { state.unseen += batch.length; showJump(); }
    counts();
    earlierButton();
    rate.draw();
    soonInfo();
    if (!state.linked && state.backlogEnd != null && state.next > state.backlogEnd) openLink();
  }

  // trim drops the oldest shown messages beyond what the page holds.
  function trim() {
    const extra = state.messages.length - state.keep;
    if (extra <= 0) return;
    const gone = state.messages.splice(0, extra);
    for (const m of gone) {
      m.node.remove();
      if (m.gapNode) m.gapNode.remove();
      state.bySeq.delete(String(m.seq));
      if (m === state.selected && !m.outside) { m.outside = true; }
    }
    const first = state.messages[0];
    if (first && first.gapNode) { first.gapNode.remove(); first.gapNode = null; }
  }

  function showJump() {
    $("jump").hidden = state.unseen === 0;
    $("jump").textContent = "↓ " + P.count(state.unseen) + " new " + (state.unseen === 1 ? "message" : "messages");
  }

  function reset() {
    for (const m of state.messages) { m.node.remove(); if (m.gapNode) m.gapNode.remove(); }
    state.messages = [];
    state.bySeq.clear();
    state.pending = [];
    state.keep = N;
    rate.clear();
    counts();
  }

  // ---- filter -------------------------------------------------------------

  const filterText = () => $("filter").value.trim().toLowerCase();
  const matches = (m, needle) => !needle || m.search.includes(needle);

  function applyFilter() {
    const needle = filterText();
    for (const m of state.messages) {
      m.node.hidden = !matches(m, needle);
      if (m.gapNode) m.gapNode.hidden = Boolean(needle);
    }
    counts();
  }

  function counts() {
    const total = state.messages.length;
    const needle = filterText();
    const shown = needle ? state.messages.filter((m) => !m.node.hidden).length : total;
    $("shown").textContent = needle ? P.count(shown) + " of " + P.count(total) + " shown" : P.count(total) + (total === 1 ? " message" : " messages") + " shown";
    $("logempty").hidden = total > 0 || state.exists === false;
  }

  // ---- facts, info, deleted pools ------------------------------------------

  function facts() {
    const info = state.info;
    if (!info) return;
    const m = info.metrics || {};
    const b = info.bounds || {};
    $("f-count").textContent = P.count(m.message_count);
    $("f-range").textContent = b.newest != null ? "#" + b.oldest + " – #" + b.newest : "none yet";
    const pct = m.utilization?.used_percent ?? 0;
    $("f-used").textContent = pct.toFixed(1) + "%";
    $("f-meter").firstChild.style.width = Math.min(100, pct) + "%";
    $("f-meter").classList.toggle("high", pct >= 90);
    $("f-size").textContent = P.bytes(info.ring_size);
    ageFact();
    $("feed-cmd").textContent = command("feed") + " '{\"msg\":\"hello\"}'";
  }

  function ageFact() {
    const age = state.info?.metrics?.age?.newest_age_ms;
    $("f-write").textContent = age == null ? "never" : P.ago(age + performance.now() - state.infoAt);
  }

  // soonInfo refreshes the facts shortly after new messages, at most twice a second.
  let infoSoon = null;
  function soonInfo() {
    if (infoSoon || state.exists === false) return;
    infoSoon = setTimeout(() => { infoSoon = null; loadInfo().catch(() => {}); }, 500);
  }

  async function loadInfo(signal) {
    try {
      const doc = await P.getJSON(P.uiPoolURL(name) + "/info", { signal });
      const info = doc.pool;
      state.info = info;
      state.infoAt = performance.now();
      const age = info.metrics?.age;
      if (age && age.newest_time && age.newest_age_ms != null) state.skew = P.timeMs(age.newest_time) + age.newest_age_ms - Date.now();
      if (state.exists === false) reappeared(info);
      state.exists = true;
      facts();
      earlierButton();
      return info;
    } catch (err) {
      if (err.status === 401) { P.toLogin(); return null; }
      if (err.status === 404) { gone(); return null; }
      throw err;
    }
  }

  // gone shows that the pool does not exist (deleted while watched, or never
  // made) and parks the live stream until it exists again.
  function gone() {
    const first = state.exists === null;
    if (state.exists === false) return;
    state.exists = false;
    if (state.live) state.live.abort();
    setLive("Deleted", "error");
    if (first) setLive("Not found", "error");
    const stateBox = $("state");
    stateBox.replaceChildren(first
      ? "There is no pool named “" + name + "” in this directory. This page starts showing it as soon as it is created."
      : "This pool was deleted. The messages below are what was shown before; this page picks up again if a pool named “" + name + "” is created.");
    stateBox.hidden = false;
    setFeedable(false);
    $("logempty").hidden = true;
    $("earlier").hidden = true;
    document.title = name + " (deleted) · Plasmite";
    if (first) document.title = name + " (not found) · Plasmite";
  }

  // reappeared restarts a pool that exists again: a new file starts its
  // sequence over, so the page starts over too.
  function reappeared(info) {
    const newest = info.bounds?.newest;
    if (state.next != null && (newest == null ? state.next > 1n : newest + 1n < state.next)) {
      reset();
      state.next = null;
      P.notice("A new pool named “" + name + "” was created; showing its messages.");
    }
    if (state.next == null) state.next = P.tailStart(info.bounds || {}, state.keep);
    $("state").hidden = true;
    setFeedable(true);
    document.title = name + " · Plasmite";
    startLive();
    counts();
  }

  // setFeedable turns the feed box (and the deleted look) on or off.
  function setFeedable(on) {
    for (const id of ["feed-send", "feed-input", "feed-tags"]) $(id).disabled = !on;
    $("main").classList.toggle("deleted", !on);
  }

  function setLive(text, tone) {
    const pill = $("live");
    pill.textContent = text;
    pill.className = "pill " + tone;
  }

  // ---- live stream ----------------------------------------------------------

  // startLive follows the pool from state.next until the pool is deleted.
  function startLive() {
    if (state.live) state.live.abort();
    const ctl = new AbortController();
    state.live = ctl;
    P.tail(name, {
      signal: ctl.signal,
      next: () => state.next,
      onMessage: add,
      onOpen: () => { if (state.exists !== false) setLive("Live", "live"); },
      onDrop: () => {
        if (state.exists !== false) setLive("Reconnecting", "warn");
        loadInfo().catch(() => {});
      },
    });
  }

  // ---- earlier messages -----------------------------------------------------

  function earlierRange() {
    const first = state.messages[0];
    const oldest = state.info?.bounds?.oldest;
    if (!first || typeof oldest !== "bigint" || first.seq <= oldest) return null;
    const from = first.seq - BigInt(N) > oldest ? first.seq - BigInt(N) : oldest;
    return { from, until: first.seq };
  }

  function earlierButton() {
    const r = earlierRange();
    const button = $("earlier");
    button.hidden = !r || state.exists === false;
    if (r) button.textContent = "Load " + P.count(r.until - r.from) + " earlier";
  }

  // loadEarlier reads the page before the oldest shown message, with
  // gap_policy=error so that a page overwritten meanwhile is reported, not
  // silently cut.
  async function loadEarlier() {
    const button = $("earlier");
    if (button.disabled) return;
    button.disabled = true;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    const older = [];
    try {
      await loadInfo(ctl.signal);
      const r = earlierRange();
      if (!r) { P.notice("The earlier messages have been overwritten; the log starts at the oldest one the pool holds."); return; }
      const q = new URLSearchParams({ gap_policy: "error", since_seq: String(r.from), max: String(r.until - r.from), timeout_ms: "1000" });
      let problem = null;
      await P.stream(P.uiPoolURL(name) + "/events?" + q, {
        signal: ctl.signal,
        onEvent: (ev, data) => {
          if (ev === "error") { problem = P.parse(data).error; return false; }
          if (ev !== "message") return;
          const m = P.message(data);
          if (m.seq >= r.until) return false;
          older.push(m);
        },
      });
      if (problem) P.notice((problem.kind === "RetentionGap" ? "Some earlier messages were overwritten while loading: " : "Could not load earlier messages: ") + problem.message);
    } catch (err) {
      P.notice(ctl.signal.aborted ? "Loading earlier messages timed out. Try again." : "Could not load earlier messages: " + err.message);
    } finally {
      clearTimeout(timer);
      button.disabled = false;
    }
    if (older.length) prepend(older);
    earlierButton();
  }

  // prepend puts older messages above the shown ones, keeping the reader's place.
  function prepend(older) {
    const fromBottom = log().scrollHeight - log().scrollTop;
    const needle = filterText();
    const frag = document.createDocumentFragment();
    const first = state.messages[0];
    for (let k = 0; k < older.length; k++) {
      const m = older[k];
      m.search = searchText(m);
      m.node = row(m);
      m.node.hidden = !matches(m, needle);
      const expect = k > 0 ? older[k - 1].seq + 1n : null;
      if (expect != null && m.seq > expect) { m.gapNode = gapNode(expect, m.seq - 1n); frag.append(m.gapNode); }
      frag.append(m.node);
      rate.count(m);
    }
    const last = older[older.length - 1];
    if (first && first.seq > last.seq + 1n && !first.gapNode) {
      first.gapNode = gapNode(last.seq + 1n, first.seq - 1n);
      first.node.before(first.gapNode);
    }
    $("rows").prepend(frag);
    state.messages = older.concat(state.messages);
    for (const m of older) state.bySeq.set(String(m.seq), m);
    state.keep += older.length;
    log().scrollTop = log().scrollHeight - fromBottom;
    counts();
    rate.draw();
  }

  // ---- selection, deep links, commands --------------------------------------

  function linkedSeq() {
    const h = decodeURIComponent(location.hash.slice(1));
    return /^\d{1,20}$/.test(h) && BigInt(h) <= P.MAX_U64 && BigInt(h) > 0n ? BigInt(h) : null;
  }

  // openLink shows the message the #seq names: from the log when it is
  // there, else fetched on its own.
  async function openLink() {
    state.linked = true;
    const seq = linkedSeq();
    if (seq == null) { select(null); return; }
    const shown = state.bySeq.get(String(seq));
    if (shown) {
      select(shown);
      shown.node.scrollIntoView({ block: "center" });
      shown.node.classList.remove("target");
      void shown.node.offsetWidth;
      shown.node.classList.add("target");
      return;
    }
    try {
      const resp = await fetch(P.poolURL(name) + "/messages/" + seq, { cache: "no-store" });
      if (resp.status === 404) {
        const b = state.info?.bounds || {};
        P.notice("Message #" + seq + " is not in this pool" + (b.newest != null ? " (it holds #" + b.oldest + " – #" + b.newest + ")." : "."));
        select(null);
        return;
      }
      if (!resp.ok) throw new Error(resp.status + " " + resp.statusText);
      const m = P.message(await resp.text(), "message");
      m.outside = true;
      select(m);
    } catch (err) {
      P.notice("Could not load message #" + seq + ": " + err.message);
    }
  }

  function select(m) {
    if (state.selected && state.selected.node) state.selected.node.classList.remove("selected");
    state.selected = m;
    $("detail").hidden = !m;
    $("body").classList.toggle("open", Boolean(m));
    if (!m) return;
    if (m.node && !m.outside) m.node.classList.add("selected");
    $("d-seq").textContent = "Message #" + m.seq;
    const at = P.timeMs(m.time);
    $("d-time").textContent = m.time + " · " + P.ago(Date.now() + state.skew - at);
    $("d-tags").replaceChildren(...m.tags.map(P.tag));
    $("d-note").hidden = !m.outside;
    $("d-note").textContent = m.outside ? "This message is outside the log shown on this page; it was fetched on its own." : "";
    P.renderJSON($("d-json"), P.envelopeText(m, false), true);
    $("d-cmd").textContent = fetchCommand(m);
  }

  function poolRef() {
    return state.who && !state.who.local ? location.origin + "/" + name : name;
  }
  // command is "pls [--dir DIR] VERB POOL".
  function command(verb) {
    const dir = P.dirOf(state.info?.path);
    const local = !state.who || state.who.local;
    return "pls " + (local && dir ? "--dir " + P.quote(dir) + " " : "") + verb + " " + P.quote(poolRef());
  }
  const fetchCommand = (m) => command("fetch") + " " + m.seq;
  const feedCommand = (m) => command("feed") + m.tags.map((t) => " --tag " + P.quote(t)).join("") + " " + P.quote(P.minify(m.raw));

  function closeDetail() {
    history.replaceState(null, "", location.pathname + location.search);
    select(null);
  }

  // ---- feeding --------------------------------------------------------------

  // feedBody is the append request for what was typed: a JSON object as is
  // (its own text, so big numbers stay exact), anything else as {"text": …}.
  function feedBody(text, tags) {
    let data;
    try {
      const v = JSON.parse(text);
      if (v && typeof v === "object" && !Array.isArray(v)) data = P.minify(text);
    } catch (_) { /* plain text */ }
    if (data == null) data = JSON.stringify({ text });
    return '{"data":' + data + (tags.length ? ',"tags":' + JSON.stringify(tags) : "") + "}";
  }

  async function feed(e) {
    e.preventDefault();
    const input = $("feed-input");
    const hint = $("feed-hint");
    const text = input.value.replace(/\s+$/, "");
    if (!text.trim()) return;
    const tags = $("feed-tags").value.split(",").map((t) => t.trim()).filter(Boolean);
    $("feed-send").disabled = true;
    try {
      const resp = await fetch(P.poolURL(name) + "/append", {
        method: "POST", cache: "no-store", headers: { "content-type": "application/json" }, body: feedBody(text, tags),
      });
      if (resp.status === 401) { P.toLogin(); return; }
      const body = await resp.text();
      if (!resp.ok) {
        let msg = resp.status + " " + resp.statusText;
        try { msg = JSON.parse(body).error.message || msg; } catch (_) { /* keep the status */ }
        throw new Error(msg);
      }
      const m = P.message(body, "message");
      input.value = "";
      grow();
      hint.classList.remove("error", "help");
      hint.textContent = "Appended #" + m.seq + ".";
      toBottom();
    } catch (err) {
      hint.classList.remove("help");
      hint.classList.add("error");
      hint.textContent = "Not appended: " + err.message;
    } finally {
      $("feed-send").disabled = state.exists === false;
    }
  }

  function grow() {
    const t = $("feed-input");
    t.style.height = "auto";
    t.style.height = Math.min(t.scrollHeight + 2, window.innerHeight * 0.4) + "px";
  }

  // ---- messages per second ------------------------------------------------

  const rate = (() => {
    const SPAN = 60;
    const buckets = new Map(); // second (server clock) -> count
    const nowSec = () => Math.floor((Date.now() + state.skew) / 1000);
    let colors = null;
    const readColors = () => {
      const cs = getComputedStyle(document.documentElement);
      colors = { bar: cs.getPropertyValue("--accent").trim(), base: cs.getPropertyValue("--line").trim() };
    };
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => { readColors(); draw(); });
    function count(m) {
      const s = Math.floor(P.timeMs(m.time) / 1000);
      if (!Number.isFinite(s) || s <= nowSec() - SPAN - 1) return;
      buckets.set(s, (buckets.get(s) || 0) + 1);
    }
    function clear() { buckets.clear(); draw(); }
    function draw() {
      const canvas = $("rate");
      const now = nowSec();
      for (const s of buckets.keys()) if (s <= now - SPAN) buckets.delete(s);
      const series = [];
      for (let s = now - SPAN + 1; s <= now; s++) series.push(buckets.get(s) || 0);
      const peak = Math.max(0, ...series);
      const recent = series.slice(-11, -1);
      const avg = recent.reduce((a, b) => a + b, 0) / recent.length;
      $("rate-now").textContent = avg >= 10 ? String(Math.round(avg)) : avg.toFixed(1);
      $("rate-peak").textContent = P.count(peak);
      const dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth || 220;
      const h = canvas.clientHeight || 48;
      if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
      const ctx = canvas.getContext("2d");
      if (!colors) readColors();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.fillStyle = colors.base;
      ctx.fillRect(0, h - 1, w, 1);
      const gap = 1;
      const bw = (w - gap * (SPAN - 1)) / SPAN;
      ctx.fillStyle = colors.bar;
      series.forEach((v, k) => {
        if (!v) return;
        const bh = Math.max(2, (v / peak) * (h - 4));
        ctx.globalAlpha = k === SPAN - 1 ? 0.55 : 0.9;
        ctx.fillRect(k * (bw + gap), h - 1 - bh, bw, bh);
      });
      ctx.globalAlpha = 1;
    }
    return { count, clear, draw };
  })();

  // ---- start ----------------------------------------------------------------

  function wire() {
    $("filter").addEventListener("input", applyFilter);
    $("earlier").addEventListener("click", loadEarlier);
    $("jump").addEventListener("click", toBottom);
    log().addEventListener("scroll", () => { if (atBottom() && state.unseen) { state.unseen = 0; showJump(); } }, { passive: true });
    $("rows").addEventListener("click", (e) => {
      const r = e.target.closest(".row");
      if (!r || !window.getSelection().isCollapsed) return;
      e.preventDefault();
      if (state.selected && String(state.selected.seq) === r.dataset.seq) closeDetail();
      else location.hash = r.dataset.seq;
    });
    window.addEventListener("hashchange", openLink);
    $("d-close").addEventListener("click", closeDetail);
    $("d-copy-json").addEventListener("click", (e) => P.copy(P.envelopeText(state.selected, true), e.currentTarget));
    $("d-copy-link").addEventListener("click", (e) => P.copy(location.origin + location.pathname + "#" + state.selected.seq, e.currentTarget));
    $("d-copy-fetch").addEventListener("click", (e) => { $("d-cmd").textContent = fetchCommand(state.selected); P.copy(fetchCommand(state.selected), e.currentTarget); });
    $("d-copy-feed").addEventListener("click", (e) => { $("d-cmd").textContent = feedCommand(state.selected); P.copy(feedCommand(state.selected), e.currentTarget); });
    $("copy-follow").addEventListener("click", (e) => P.copy(command("follow"), e.currentTarget));
    $("feed").addEventListener("submit", feed);
    $("feed-input").addEventListener("input", grow);
    $("feed-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("feed").requestSubmit(); }
    });
    document.addEventListener("keydown", (e) => {
      if (e.target instanceof Element && e.target.closest("input, textarea, select, dialog")) return;
      if (e.key === "Escape" && state.selected) closeDetail();
      else if (e.key === "/") { e.preventDefault(); $("filter").focus(); }
    });
    setInterval(() => { ageFact(); rate.draw(); }, 1000);
    setInterval(() => { if (!document.hidden) loadInfo().catch(() => {}); }, INFO_EVERY);
  }

  // The pool's info is asked for at once, beside the session.
  const firstInfo = loadInfo().catch((err) => { P.notice("Could not load the pool's details: " + err.message); return null; });
  $("name").textContent = name;
  document.title = name + " · Plasmite";

  P.start("pools", async (who) => {
    state.who = who;
    wire();
    const info = await firstInfo;
    if (info) {
      P.showDir(P.dirOf(info.path));
      state.next = P.tailStart(info.bounds || {}, N);
      state.backlogEnd = info.bounds?.newest ?? null;
    }
    counts();
    if (state.backlogEnd == null) openLink();
    if (state.exists !== false) startLive();
  });
})();
