// The pool list: every pool of the served directory, live through
// /v0/ui/pools/stream, sortable, with size, use and the age of the last write.
"use strict";

(() => {
  const { el, $ } = P;
  const state = {
    pools: [],          // the latest snapshot
    at: 0,              // performance.now() when it arrived (ages count from there)
    rows: new Map(),    // name -> {tr, cells, newest}
    sort: { key: "name", dir: 1 },
  };

  // Each column: how to sort by it (null last) and how to fill its cell.
  const columns = {
    name: { value: (p) => p.name },
    messages: { value: (p) => p.metrics?.message_count ?? null },
    newest: { value: (p) => p.bounds?.newest ?? null },
    write: { value: (p) => lastWriteAge(p) },
    size: { value: (p) => p.file_size ?? null },
    used: { value: (p) => p.metrics?.utilization?.used_percent ?? null },
  };
  const numericFirstDesc = new Set(["messages", "newest", "size", "used"]);

  // lastWriteAge is how long ago the newest message was written, now.
  function lastWriteAge(p) {
    const age = p.metrics?.age?.newest_age_ms;
    return age == null ? null : age + (performance.now() - state.at);
  }

  function compare(a, b) {
    const col = columns[state.sort.key];
    const x = col.value(a);
    const y = col.value(b);
    if (x == null || y == null) return x == null && y == null ? a.name.localeCompare(b.name) : x == null ? 1 : -1;
    const c = typeof x === "string" ? x.localeCompare(y) : x < y ? -1 : x > y ? 1 : 0;
    return c * state.sort.dir || a.name.localeCompare(b.name);
  }

  function makeRow(name) {
    const cells = {
      name: el("td", { class: "name" }, el("a", { href: P.pageURL(name) }, name)),
      messages: el("td", { class: "r", "data-label": "Messages" }),
      newest: el("td", { class: "range", "data-label": "Sequence" }),
      write: el("td", { "data-label": "Last write" }),
      size: el("td", { class: "r", "data-label": "Size" }),
      used: el("td", { "data-label": "Used" }),
    };
    const tr = el("tr", { "data-pool": name }, ...Object.values(cells));
    tr.addEventListener("click", (e) => {
      if (e.target.closest("a") || !window.getSelection().isCollapsed) return;
      location.assign(P.pageURL(name));
    });
    return { tr, cells, newest: undefined };
  }

  function fill(row, p) {
    const m = p.metrics || {};
    const b = p.bounds || {};
    row.cells.messages.textContent = P.count(m.message_count);
    row.cells.newest.textContent = b.newest != null ? P.count(b.oldest) + " – " + P.count(b.newest) : "empty";
    row.cells.size.textContent = P.bytes(p.file_size);
    row.cells.size.title = P.bytes(p.ring_size) + " for messages";
    const pct = m.utilization?.used_percent ?? 0;
    const bar = el("i");
    bar.style.width = Math.min(100, pct) + "%";
    row.cells.used.replaceChildren(el("div", { class: "used" },
      el("span", { class: "meter" + (pct >= 90 ? " high" : "") }, bar), el("span", { class: "num" }, pct.toFixed(1) + "%")));
    if (row.newest !== undefined && row.newest !== b.newest) {
      row.tr.classList.remove("flash");
      void row.tr.offsetWidth;
      row.tr.classList.add("flash");
    }
    row.newest = b.newest;
  }

  // ages refreshes the "last write" cells; it runs every second.
  function ages() {
    for (const p of state.pools) {
      const row = state.rows.get(p.name);
      if (!row) continue;
      const age = lastWriteAge(p);
      row.cells.write.textContent = age == null ? "never" : P.ago(age);
      row.cells.write.classList.toggle("fresh", age != null && age < 5000);
    }
  }

  function render() {
    const needle = $("filter").value.trim().toLowerCase();
    const seen = new Set();
    for (const p of state.pools) {
      seen.add(p.name);
      let row = state.rows.get(p.name);
      if (!row) { row = makeRow(p.name); state.rows.set(p.name, row); }
      fill(row, p);
    }
    for (const [name, row] of state.rows) {
      if (!seen.has(name)) { row.tr.remove(); state.rows.delete(name); }
    }
    const shown = state.pools.filter((p) => p.name.toLowerCase().includes(needle)).sort(compare);
    P.keepChildren($("rows"), shown.map((p) => state.rows.get(p.name).tr));
    ages();
    $("empty").hidden = state.pools.length > 0;
    $("nomatch").hidden = !state.pools.length || shown.length > 0;
    $("list").querySelector("table").hidden = !shown.length;
    const total = state.pools.reduce((n, p) => n + (p.file_size || 0), 0);
    const msgs = state.pools.reduce((n, p) => n + (p.metrics?.message_count || 0), 0);
    $("sub").textContent = state.pools.length
      ? P.count(state.pools.length) + (state.pools.length === 1 ? " pool" : " pools") + " · " + P.count(msgs) + " messages · " + P.bytes(total) + " on disk"
      : "No pools";
    if (state.pools.length) P.showDir(P.dirOf(state.pools[0].path));
  }

  function setSort(key, dir) {
    state.sort = { key, dir: dir ?? (state.sort.key === key ? -state.sort.dir : numericFirstDesc.has(key) ? -1 : 1) };
    for (const th of $("heads").children) {
      if (th.dataset.key === state.sort.key) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    $("sort-select").value = state.sort.key;
    render();
  }

  function setLive(text, tone) {
    const pill = $("live");
    pill.textContent = text;
    pill.className = "pill " + tone;
  }

  // follow keeps the list live, reconnecting a second after any drop.
  async function follow() {
    for (;;) {
      try {
        await P.stream("/v0/ui/pools/stream", {
          onOpen: () => setLive("Live", "live"),
          onEvent: (name, data) => {
            if (name !== "pools") return;
            state.pools = P.parse(data).pools || [];
            state.at = performance.now();
            render();
          },
        });
      } catch (err) {
        if (err.status === 401) { login(); return; }
      }
      setLive("Reconnecting", "warn");
      await P.sleep(1000);
    }
  }

  // login asks a remote visitor for an access key (the local listener never
  // needs one), then returns to ?next= when it names a UI page.
  function login(message) {
    const error = el("div", { class: "error", role: "alert" }, message || "");
    const input = el("input", { type: "text", name: "key", placeholder: "pk1.…", autocomplete: "off", spellcheck: "false", "aria-label": "Access key" });
    const form = el("form", null, input, error, el("button", { type: "submit", class: "primary" }, "Sign in"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await P.sendJSON("POST", "/v0/browser/session", { access_key: input.value.trim() });
        const next = new URLSearchParams(location.search).get("next") || "";
        location.assign(/^\/(ui|access)(\/|$|\?|#)/.test(next) ? next : "/ui");
      } catch (err) {
        error.textContent = err.message;
      }
    });
    $("main").replaceChildren(el("div", { class: "card login" },
      el("h1", null, "Sign in"),
      el("p", { class: "muted" }, "This server shares its pools with people who hold an access key. Paste yours to continue."),
      form));
    input.focus();
  }

  P.start("pools", async (who) => {
    if (!who.authenticated) { login(); return; }
    for (const th of $("heads").children) th.querySelector("button").addEventListener("click", () => setSort(th.dataset.key));
    $("sort-select").addEventListener("change", (e) => setSort(e.target.value, columns[e.target.value] && numericFirstDesc.has(e.target.value) ? -1 : 1));
    $("filter").addEventListener("input", render);
    setInterval(ages, 1000);
    follow();
  }, { needPools: false });
})();
