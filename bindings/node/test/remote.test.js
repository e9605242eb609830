"use strict";
// RemoteClient against a real `pls serve` on loopback, and its transport
// rules (no bearer over non-loopback HTTP, no redirects) against stub fetches
// and a redirecting server.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { Client, ErrorKind, Message, RemoteClient, RemoteError, RemotePool } = require("..");
const { cli, tempDir } = require("./helpers");

/** Starts `pls --dir dir serve` on loopback; resolves to its local base URL. */
async function serve(t, dir) {
  const work = tempDir(t, "plasmite-serve-");
  const ready = path.join(work, "ready");
  const child = spawn(cli, ["--dir", dir, "serve", "--bind", "127.0.0.1:0", "--remote-bind", "127.0.0.1:0"], {
    env: { ...process.env, HOME: work, PLASMITE_ACCESS_HOME: path.join(work, "access"), PLASMITE_SERVE_READY_FILE: ready },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  t.after(async () => {
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
    await exited;
    clearTimeout(timer);
  });
  const deadline = Date.now() + 30000;
  while (!(fs.existsSync(ready) && fs.statSync(ready).size > 0)) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`serve not ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return `http://${JSON.parse(fs.readFileSync(path.join(dir, ".plasmite-serve", "local.json"), "utf8"))}`;
}

test("remote pools against pls serve: create, open, info, list, append, get, tail, delete", async (t) => {
  const dir = tempDir(t);
  const base = await serve(t, dir);
  const client = new RemoteClient(base);
  const info = await client.createPool("demo", 1024 * 1024);
  assert.equal(info.name, "demo");
  assert.equal(info.file_size, 1024 * 1024);
  const pool = await client.openPool("demo");
  assert.ok(pool instanceof RemotePool);
  assert.equal(pool.poolRef(), "demo");

  const m = await pool.append({ hello: "remote" }, ["greet"], "flush");
  assert.ok(m instanceof Message);
  assert.equal(m.seq, 1n);
  assert.deepEqual([...m.tags], ["greet"]);
  await pool.append({ n: 2 }, ["other"]);
  await pool.append({ n: 3 }, ["greet"]);
  assert.deepEqual((await pool.get(1n)).data, { hello: "remote" });

  // the same pool, read locally
  const local = new Client(dir);
  const lp = local.openPool("demo");
  assert.deepEqual(lp.get(3).data, { n: 3 });
  lp.append({ from: "local" }, ["greet"]);
  lp.close();
  local.close();

  const tailed = [];
  for await (const msg of pool.tail({ sinceSeq: 1, maxMessages: 3, timeoutMs: 500, tags: ["greet"] })) tailed.push(msg.seq);
  assert.deepEqual(tailed, [1n, 3n, 4n]);

  // a tail stopped early aborts its request
  for await (const msg of pool.tail({ sinceSeq: 1, timeoutMs: 5000 })) {
    assert.equal(msg.seq, 1n);
    break;
  }
  const controller = new AbortController();
  const waiting = pool.tail({ sinceSeq: 100, timeoutMs: 5000, signal: controller.signal })[Symbol.asyncIterator]().next();
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(waiting, (err) => err.name === "AbortError");

  const infoNow = await client.poolInfo("demo");
  assert.deepEqual(infoNow.bounds, { oldest: 1, newest: 4 });
  assert.deepEqual((await client.listPools()).map((p) => p.name), ["demo"]);

  await assert.rejects(pool.get(99), (err) => err instanceof RemoteError && err.status === 404 && err.kind === ErrorKind.NotFound);
  await assert.rejects(client.openPool("missing"), (err) => err instanceof RemoteError && err.kind === ErrorKind.NotFound);
  await assert.rejects(client.createPool("demo", 1024 * 1024), (err) => err.kind === ErrorKind.AlreadyExists && err.status === 409);
  await assert.rejects(pool.append("not an object"), (err) => err instanceof RemoteError && err.kind === ErrorKind.Usage);
  await client.deletePool("demo");
  assert.deepEqual(await client.listPools(), []);
  await assert.rejects(client.deletePool("demo"), (err) => err.kind === ErrorKind.NotFound);
});

test("a remote tail's terminal gap error rejects with RemoteError", async (t) => {
  const dir = tempDir(t);
  const base = await serve(t, dir);
  const local = new Client(dir);
  const lp = local.createPool("gap", 64 * 1024);
  lp.append({ first: true });
  for (let i = 0; i < 40; i++) lp.append({ i, padding: "z".repeat(4096) });
  lp.close();
  local.close();
  const pool = new RemotePool(new RemoteClient(base), "gap");
  await assert.rejects(
    pool.tail({ sinceSeq: 1, errorOnGap: true, timeoutMs: 200 })[Symbol.asyncIterator]().next(),
    (err) => err instanceof RemoteError && err.kind === ErrorKind.RetentionGap && err.seq === 1,
  );
});

test("base URLs: http(s) only, no path", () => {
  assert.throws(() => new RemoteClient("ftp://127.0.0.1"), /must use http or https/);
  assert.throws(() => new RemoteClient("http://127.0.0.1:9700/v0"), /must not include a path/);
  const c = new RemoteClient("http://127.0.0.1:9700/?q=1#f", { token: "t" });
  assert.equal(c.baseUrl.toString(), "http://127.0.0.1:9700/");
  assert.equal(c.withToken("u"), c);
  assert.equal(c.token, "u");
});

async function withFetch(stub, run) {
  const original = global.fetch;
  global.fetch = stub;
  try {
    return await run();
  } finally {
    global.fetch = original;
  }
}

test("bearer tokens never travel over non-loopback HTTP; loopback and HTTPS are fine", async () => {
  const seen = [];
  const ok = async (url, init) => {
    seen.push({ url: String(url), auth: init.headers.Authorization, redirect: init.redirect });
    return new Response(JSON.stringify({ pools: [] }), { status: 200 });
  };
  await withFetch(ok, async () => {
    for (const host of ["http://example.com", "http://10.0.0.1:9700", "http://127.example:1"]) {
      const c = new RemoteClient(host, { token: "secret" });
      await assert.rejects(c.listPools(), /remote bearer tokens require HTTPS outside loopback/);
      await assert.rejects(new RemotePool(c, "p").tail().next(), /require HTTPS/);
    }
    assert.equal(seen.length, 0);
    await new RemoteClient("http://example.com").listPools(); // no token: allowed
    await new RemoteClient("http://localhost:1", { token: "a" }).listPools();
    await new RemoteClient("http://127.1.2.3:1", { token: "b" }).listPools();
    await new RemoteClient("http://[::1]:1", { token: "c" }).listPools();
    await new RemoteClient("https://example.com", { token: "d" }).listPools();
  });
  assert.deepEqual(seen.map((s) => s.auth), [undefined, "Bearer a", "Bearer b", "Bearer c", "Bearer d"]);
  assert.ok(seen.every((s) => s.redirect === "manual"));
});

test("redirects are refused, not followed (a real redirecting server)", async (t) => {
  let followed = 0;
  const server = http.createServer((req, res) => {
    if (req.url.startsWith("/elsewhere")) {
      followed++;
      res.end("{}");
      return;
    }
    res.writeHead(307, { Location: "/elsewhere" + req.url });
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const c = new RemoteClient(`http://127.0.0.1:${server.address().port}`, { token: "k" });
  await assert.rejects(c.poolInfo("x"), /redirected the request \(HTTP 307\); redirects are not followed/);
  await assert.rejects(new RemotePool(c, "x").tail().next(), /HTTP 307/);
  assert.equal(followed, 0);
});

test("remote errors: unknown kinds are Io, missing messages fall back to the status; bad durability fails before fetch", async () => {
  await withFetch(async () => new Response(JSON.stringify({ error: { kind: "toString", message: "odd" } }), { status: 400 }), async () => {
    await assert.rejects(new RemotePool(new RemoteClient("http://127.0.0.1:1"), "p").get(1), (e) => e.kind === ErrorKind.Io && e.message === "odd" && e.status === 400);
  });
  await withFetch(async () => new Response("not json", { status: 502 }), async () => {
    await assert.rejects(new RemoteClient("http://127.0.0.1:1").listPools(), (e) => e instanceof RemoteError && e.message === "Remote error 502");
  });
  let called = false;
  await withFetch(async () => {
    called = true;
  }, async () => {
    await assert.rejects(new RemotePool(new RemoteClient("http://127.0.0.1:1"), "p").append({}, [], "constructor"), /durability must be/);
  });
  assert.equal(called, false);
});

test("remote messages keep u64 seqs exact", async () => {
  const big = "18446744073709551615";
  const body = `{"message":{"data":{"seq":${big}},"meta":{"tags":[]},"seq":${big},"time":"2026-01-01T00:00:00Z"}}`;
  await withFetch(async () => new Response(body, { status: 200 }), async () => {
    const m = await new RemotePool(new RemoteClient("http://127.0.0.1:1"), "p").get(big);
    assert.equal(m.seq, 18446744073709551615n);
  });
  await withFetch(async (url) => {
    assert.equal(new URL(url).searchParams.get("since_seq"), "9007199254740993");
    return new Response(`{"seq":9007199254740993,"time":"2026-01-01T00:00:00Z","meta":{"tags":["a"]},"data":{}}\n`, { status: 200 });
  }, async () => {
    const it = new RemotePool(new RemoteClient("http://127.0.0.1:1"), "p").tail({ sinceSeq: 9007199254740993n, tags: ["a", "b"] });
    assert.equal((await it.next()).value.seq, 9007199254740993n);
  });
});
