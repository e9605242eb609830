// The ring map: every pool's ring drawn from the "ring" member of the live
// pool list (oldest frame, write head, wrap), and a live preview of one pool.
"use strict";

(() => {
  const { el, svg, $ } = P;
  const SIZE = 160;
  const C = SIZE / 2;
  const R = 60;
  const W = 14;
  const PREVIEW = 200;

  const state = {
    cards: new Map(), // name -> {button, art, caption, key, newest, pool}
    pools: [],
    at: 0,
    selected: new URLSearchParams(location.search).get("pool"),
    peek: null,       // {name, ctl, next, rows}
    activity: null,   // the last /v0/ui/activity answer, or null
  };

  // ---- geometry ----------------------------------------------------------

  // point is where byte offset o of a ring of size bytes lies, at radius r.
  function point(o, size, r) {
    const a = (o / size) * 2 * Math.PI - Math.PI / 2;
    return [C + r * Math.cos(a), C + r * Math.sin(a)];
  }
  // arc is the path of bytes [from, to) of the ring (to > from, within one turn).
  function arc(from, to, size) {
    const [x1, y1] = point(from, size, R);
    const [x2, y2] = point(to, size, R);
    const large = to - from > size / 2 ? 1 : 0;
    return "M" + x1.toFixed(2) + " " + y1.toFixed(2) + "A" + R + " " + R + " 0 " + large + " 1 " + x2.toFixed(2) + " " + y2.toFixed(2);
  }

  // spans lists the used bytes from the oldest frame to the write head as
  // [start, length] pieces of at most a quarter turn, in ring order; the
  // pieces fade in from the oldest to the newest.
  function spans(ring, size, full) {
    let len = ring.head - ring.tail;
    if (len < 0) len += size;
    if (len === 0 && full) len = size;
    // A sliver of a big ring would vanish: draw at least 1.5% of a turn.
    len = Math.min(size, Math.max(len, size * 0.015));
    const out = [];
    const steps = Math.max(1, Math.ceil((len / size) * 48));
    for (let k = 0; k < steps; k++) out.push([ring.tail + (len * k) / steps, len / steps]);
    return out;
  }

  function ringArt(p) {
    const ring = p.ring;
    const size = p.ring_size || 1;
    const g = svg("g");
    g.append(svg("circle", { class: "ring-track", cx: C, cy: C, r: R, "stroke-width": W }));
    const count = p.metrics?.message_count || 0;
    if (ring && count > 0) {
      const pieces = spans(ring, size, ring.head === ring.tail);
      pieces.forEach(([start, len], k) => {
        const from = start % size;
        const to = from + len;
        const opacity = (0.22 + 0.78 * ((k + 1) / pieces.length)).toFixed(2);
        const parts = to > size ? [[from, size], [0, to - size]] : [[from, to]];
        for (const [a, b] of parts) {
          if (b - a <= 0) continue;
          g.append(svg("path", { class: "ring-span", d: arc(a, Math.min(b, a + size * 0.999), size), "stroke-width": W, "stroke-opacity": opacity }));
        }
      });
      if (Array.isArray(ring.frames) && ring.frames.length <= 120) {
        for (const [off] of ring.frames.slice(1)) {
          const [x1, y1] = point(off, size, R - W / 2);
          const [x2, y2] = point(off, size, R + W / 2);
          g.append(svg("line", { class: "ring-tick", x1, y1, x2, y2, "stroke-width": 1 }));
        }
      }
    }
    const [zx1, zy1] = point(0, size, R + W / 2 + 2);
    const [zx2, zy2] = point(0, size, R + W / 2 + 8);
    g.append(svg("line", { class: "ring-zero", x1: zx1, y1: zy1, x2: zx2, y2: zy2 }));
    if (ring && count > 0) {
      const [tx, ty] = point(ring.tail, size, R);
      g.append(svg("circle", { class: "ring-tail", cx: tx, cy: ty, r: 4.5 }, svg("title", null, "oldest: #" + (p.bounds?.oldest ?? "?") + " at byte " + ring.tail)));
    }
    if (ring) {
      const [hx, hy] = point(ring.head, size, R);
      g.append(svg("circle", { class: "ring-pulse", cx: hx, cy: hy, r: 4 }));
      g.append(svg("circle", { class: "ring-head", cx: hx, cy: hy, r: 6 }, svg("title", null, "write head: byte " + ring.head)));
    }
    const pct = p.metrics?.utilization?.used_percent;
    g.append(svg("text", { class: "ring-pct", x: C, y: C + 4 }, pct == null ? "—" : (pct < 10 ? pct.toFixed(1) : Math.round(pct)) + "%"));
    g.append(svg("text", { class: "ring-sub", x: C, y: C + 22 }, ring ? "of " + P.bytes(size) : "ring unreadable"));
    return g;
  }

  // ---- cards -------------------------------------------------------------

  function card(name) {
    const art = svg("svg", { viewBox: "0 0 " + SIZE + " " + SIZE, role: "img", "aria-label": "Ring of " + name });
    const caption = el("div", { class: "sm" });
    const activity = el("div", { class: "activity" });
    const button = el("button", { type: "button", class: "ringcard", "data-pool": name, "aria-pressed": "false", onclick: () => select(state.selected === name ? null : name) },
      art, el("div", { class: "nm", title: name }, name), caption, activity);
    return { button, art, caption, activity, key: "", newest: undefined };
  }

  function caption(c, p) {
    const age = p.metrics?.age?.newest_age_ms;
    const n = p.metrics?.message_count ?? 0;
    c.caption.textContent = P.count(n) + (n === 1 ? " message" : " messages") + " · " + (age == null ? "never written" : P.ago(age + performance.now() - state.at));
  }

  function render() {
    const seen = new Set();
    for (const p of state.pools) {
      seen.add(p.name);
      let c = state.cards.get(p.name);
      if (!c) { c = card(p.name); state.cards.set(p.name, c); }
      c.pool = p;
      const key = JSON.stringify([p.ring, p.ring_size, p.metrics?.utilization, p.metrics?.message_count], (k, v) => (typeof v === "bigint" ? String(v) : v));
      if (key !== c.key) {
        c.key = key;
        c.art.replaceChildren(ringArt(p));
        const newest = p.bounds?.newest;
        if (c.newest !== undefined && newest !== c.newest) {
          const pulse = c.art.querySelector(".ring-pulse");
          if (pulse) requestAnimationFrame(() => pulse.classList.add("on"));
        }
        c.newest = newest;
      }
      caption(c, p);
      c.button.setAttribute("aria-pressed", String(state.selected === p.name));
    }
    for (const [name, c] of state.cards) if (!seen.has(name)) { c.button.remove(); state.cards.delete(name); }
    P.keepChildren($("rings"), state.pools.map((p) => state.cards.get(p.name).button));
    $("empty").hidden = state.pools.length > 0;
    if (state.pools.length) P.showDir(P.dirOf(state.pools[0].path));
    renderActivity();
    peekFacts();
  }

  // ---- the preview -------------------------------------------------------

  function select(name) {
    state.selected = name;
    const url = new URL(location.href);
    if (name) url.searchParams.set("pool", name); else url.searchParams.delete("pool");
    history.replaceState(null, "", url);
    for (const [n, c] of state.cards) c.button.setAttribute("aria-pressed", String(n === name));
    if (state.peek) { state.peek.ctl.abort(); state.peek = null; }
    $("peek").hidden = !name;
    $("grid").classList.toggle("open", Boolean(name));
    if (!name) return;
    const pool = state.pools.find((p) => p.name === name);
    const peek = { name, ctl: new AbortController(), next: P.tailStart(pool?.bounds, PREVIEW), count: 0 };
    state.peek = peek;
    $("p-name").textContent = name;
    $("p-name").title = name;
    $("p-open").href = P.pageURL(name);
    $("p-msgs").replaceChildren(el("div", { class: "logempty", id: "p-none" }, "No messages yet."));
    setPill($("p-live"), "Connecting", "");
    peekFacts();
    P.tail(name, {
      signal: peek.ctl.signal,
      next: () => peek.next,
      onOpen: () => setPill($("p-live"), "Live", "live"),
      onDrop: () => setPill($("p-live"), "Reconnecting", "warn"),
      onMessage: (m) => {
        if (peek.next != null && m.seq < peek.next) return;
        peek.next = m.seq + 1n;
        const box = $("p-msgs");
        const none = $("p-none");
        if (none) none.remove();
        const data = el("span", { class: "data" });
        P.renderJSON(data, m.raw, false, 300);
        box.prepend(el("a", { class: "msg", href: P.pageURL(name) + "#" + m.seq, title: m.time }, el("span", { class: "seq" }, "#" + m.seq), data));
        while (box.children.length > PREVIEW) box.lastChild.remove();
      },
    });
  }

  function peekFacts() {
    if (!state.peek) return;
    const p = state.pools.find((x) => x.name === state.peek.name);
    const facts = $("p-facts");
    if (!p) { facts.replaceChildren(el("li", null, "This pool no longer exists.")); setPill($("p-live"), "Deleted", "error"); return; }
    const b = p.bounds || {};
    const m = p.metrics || {};
    facts.replaceChildren(
      el("li", null, el("b", null, P.count(m.message_count)), " messages"),
      el("li", null, "seq ", el("b", null, b.newest != null ? "#" + b.oldest + " – #" + b.newest : "none")),
      el("li", null, el("b", null, (m.utilization?.used_percent ?? 0).toFixed(1) + "%"), " of ", el("b", null, P.bytes(p.ring_size))),
      p.ring && Array.isArray(p.ring.frames) ? el("li", null, el("b", null, P.count(p.ring.frames.length)), " frames from #", String(p.ring.first ?? "—")) : null);
  }

  function setPill(pill, text, tone) {
    pill.textContent = text;
    pill.className = "pill " + tone;
  }

  // ---- activity (optional on the server) -----------------------------------

  // refreshActivity polls /v0/ui/activity while the server offers it; a
  // server without it (404) or a listener that refuses it (403) ends the polling.
  async function refreshActivity() {
    for (;;) {
      try {
        const resp = await fetch("/v0/ui/activity", { cache: "no-store" });
        if (resp.status === 403 || resp.status === 404 || resp.status === 401) { state.activity = null; renderActivity(); return; }
        if (resp.ok) { state.activity = P.parse(await resp.text()); renderActivity(); }
      } catch (_) { /* try again below */ }
      await P.sleep(2000);
    }
  }

  function renderActivity() {
    for (const [name, c] of state.cards) {
      const entries = state.activity?.pools?.[name]?.entries || [];
      const readers = entries.filter((e) => e.kind !== "open_file").length;
      const procs = entries.filter((e) => e.kind === "open_file").length;
      const parts = [];
      if (readers) parts.push(readers + (readers === 1 ? " request" : " requests"));
      if (procs) parts.push(procs + (procs === 1 ? " process" : " processes"));
      c.activity.textContent = parts.join(" · ");
      c.activity.title = entries.map((e) => e.operation || e.command || e.kind).join("\n");
    }
  }

  // ---- start ---------------------------------------------------------------

  async function follow() {
    for (;;) {
      try {
        await P.stream("/v0/ui/pools/stream", {
          onOpen: () => setPill($("live"), "Live", "live"),
          onEvent: (ev, data) => {
            if (ev !== "pools") return;
            state.pools = P.parse(data).pools || [];
            state.at = performance.now();
            render();
            if (state.selected && !state.peek && state.pools.some((p) => p.name === state.selected)) select(state.selected);
          },
        });
      } catch (err) {
        if (err.status === 401) { P.toLogin(); return; }
      }
      setPill($("live"), "Reconnecting", "warn");
      await P.sleep(1000);
    }
  }

  P.start("map", async () => {
    $("p-close").addEventListener("click", () => select(null));
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && state.selected && !document.querySelector("dialog[open]")) select(null); });
    setInterval(() => { for (const c of state.cards.values()) if (c.pool) caption(c, c.pool); }, 1000);
    follow();
    refreshActivity();
  });
})();
