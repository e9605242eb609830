// The access page (local listener only): whether this server shares its
// pools with other machines, its addresses and fingerprint, and its access
// keys (invite, list, revoke). A server without the sharing routes
// (/v0/access/status answers 404) gets a plain account of what is missing.
"use strict";

(() => {
  const { el, $ } = P;
  const state = { status: null };

  const card = (...children) => el("div", { class: "card" }, el("section", null, ...children));
  const fact = (label, ...value) => el("li", null, label + ": ", el("b", null, ...value));

  // ---- a server without sharing ------------------------------------------

  async function notBuilt() {
    const host = location.host;
    let dir = "";
    let pools = [];
    try {
      pools = (await P.getJSON("/v0/ui/pools")).pools || [];
      dir = P.dirOf(pools[0]?.path);
    } catch (_) { /* the facts below say "unknown" */ }
    if (dir) P.showDir(dir);
    const d = dir ? "--dir " + P.quote(dir) + " " : "";
    const example = pools[0]?.name || "demo";
    $("access").replaceChildren(
      card(
        el("div", { class: "status-line" }, el("h2", null, "Sharing with other machines"), el("span", { class: "pill warn", id: "sharing" }, "Not available in this build")),
        el("p", null, "This server answers only on its local address, for programs and browsers on this machine. Sharing pools with other machines needs parts this build of Plasmite does not have yet:"),
        el("ul", null,
          el("li", null, el("b", null, "An HTTPS listener"), " that other machines can reach (", el("code", null, "--remote-bind"), ", ", el("code", null, "--shared-address"), "): the options are accepted, but nothing listens on them."),
          el("li", null, el("b", null, "Access keys"), ": inviting someone with a ", el("code", null, "pk1.…"), " key, listing the keys, revoking one."),
          el("li", null, el("b", null, "Signing in from a browser"), " with an access key on the HTTPS address.")),
        el("p", null, "Until then, use the pools from this machine:"),
        el("pre", null,
          "pls " + d + "pool list\n" +
          "pls " + d + "follow " + P.quote(example) + "\n" +
          "curl http://" + host + "/v0/pools/" + encodeURIComponent(example) + "/tail?timeout_ms=1000")),
      card(
        el("h2", null, "This server"),
        el("ul", null,
          fact("Local address", "http://" + host),
          fact("Directory", dir || "unknown (no pools yet)"),
          fact("Pools", P.count(pools.length)))));
  }

  // ---- a server that shares ------------------------------------------------

  const group = (hex) => String(hex || "").replace(/(.{4})/g, "$1 ").trim();
  const when = (secs) => (secs == null ? "—" : new Date(secs * 1000).toLocaleString());

  function statusCard(s) {
    const ready = Boolean(s.ready);
    const fp = el("code", null, group(s.server_fingerprint));
    return card(
      el("div", { class: "status-line" }, el("h2", null, "Sharing with other machines"),
        el("span", { class: "pill " + (ready ? "live" : "warn"), id: "sharing" }, ready ? "Sharing" : "Not sharing yet")),
      s.next_action ? el("p", null, s.next_action) : null,
      el("ul", null,
        fact("Shared address", s.shared_address || "none configured"),
        fact("Directory", s.pool_dir || "—"),
        el("li", null, "Server fingerprint:", el("div", { class: "fp" }, fp, el("button", { type: "button", class: "quiet", onclick: (e) => P.copy(s.server_fingerprint, e.currentTarget) }, "Copy")))),
      (s.addresses || []).length ? el("table", null,
        el("thead", null, el("tr", null, el("th", null, "Address"), el("th", null, "Interface"), el("th", null, "Kind"))),
        el("tbody", null, ...(s.addresses || []).map((a) => el("tr", null, el("td", null, el("code", null, a.host)), el("td", null, a.interface || "—"), el("td", null, a.kind))))) : null);
  }

  async function keysCard(s) {
    const box = card(el("h2", null, "Access keys"));
    const section = box.firstChild;
    let keys = [];
    try {
      keys = (await P.getJSON("/v0/access/keys", { headers: { "x-plasmite-server-fingerprint": s.server_fingerprint } })).keys || [];
    } catch (err) {
      section.append(el("p", null, "Could not list the keys: " + err.message));
    }
    if (keys.length) {
      section.append(el("table", null,
        el("thead", null, el("tr", null, el("th", null, "Name"), el("th", null, "Created"), el("th", null, "Last used"), el("th", null, ""))),
        el("tbody", null, ...keys.map((k) => el("tr", { "data-key": k.id },
          el("td", null, k.name),
          el("td", null, when(k.created_at)),
          el("td", null, when(k.last_used_at)),
          el("td", null, k.revoked ? el("span", { class: "pill error plain" }, "Revoked")
            : el("button", { type: "button", class: "danger", onclick: (e) => revoke(k, e.currentTarget) }, "Revoke")))))));
    } else {
      section.append(el("p", null, "No keys yet. Invite someone below."));
    }
    const name = el("input", { type: "text", placeholder: "Who is this key for? (e.g. laptop)", "aria-label": "Key name", maxlength: "128" });
    const out = el("div");
    const form = el("form", null, name, el("button", { type: "submit", class: "primary" }, "Invite"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const body = P.parse(await P.sendJSON("POST", "/v0/access/invite", { name: name.value.trim(), server_fingerprint: s.server_fingerprint }));
        const key = body.access_key;
        out.replaceChildren(el("div", { class: "secret", role: "status" },
          "Give this key to “" + name.value.trim() + "”. It is shown only this once:",
          el("code", null, key),
          el("button", { type: "button", onclick: (ev) => P.copy(key, ev.currentTarget) }, "Copy key"),
          s.shared_address ? el("div", null, "They connect with ", el("code", null, "pls access connect " + s.shared_address), " and paste the key.") : null));
        name.value = "";
      } catch (err) {
        out.replaceChildren(el("p", { class: "error" }, "Not invited: " + err.message));
      }
    });
    section.append(form, out);
    return box;
  }

  // revoke asks once more on the button itself (everything using the key
  // stops at once), then revokes.
  async function revoke(k, button) {
    if (!button.classList.contains("armed")) {
      button.classList.add("armed");
      button.textContent = "Click again to revoke";
      setTimeout(() => { button.classList.remove("armed"); button.textContent = "Revoke"; }, 4000);
      return;
    }
    button.disabled = true;
    try {
      await P.sendJSON("POST", "/v0/access/revoke", { id: k.id, server_fingerprint: state.status.server_fingerprint });
      await shares(state.status);
    } catch (err) {
      P.notice("Could not revoke: " + err.message);
    }
  }

  async function shares(s) {
    state.status = s;
    if (s.pool_dir) P.showDir(s.pool_dir);
    const keys = await keysCard(s);
    $("access").replaceChildren(statusCard(s), keys);
  }

  P.start("access", async (who) => {
    if (!who.local) { $("access").replaceChildren(card(el("p", null, "Access is administered on the server's own machine, at its local address."))); return; }
    try {
      const resp = await fetch("/v0/access/status", { cache: "no-store" });
      if (resp.status === 404) { await notBuilt(); return; }
      if (!resp.ok) throw new Error(resp.status + " " + resp.statusText);
      await shares(P.parse(await resp.text()));
    } catch (err) {
      $("access").replaceChildren(card(el("p", null, "Could not read the access status: " + err.message)));
    }
  }, { needPools: false });
})();
