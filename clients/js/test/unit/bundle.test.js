import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

import { bundles, CONSOLE_COPY } from "../../scripts/build.js";
import { FakeSocket } from "./fakes.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

test("the console's copy of the browser build equals a fresh build (run `npm run build -- --console` after a change)", async () => {
  const { iife } = await bundles();
  assert.equal(readFileSync(CONSOLE_COPY, "utf8"), iife);
});

test("the browser build is one self-contained script exposing Realtime.RealtimeClient", async () => {
  const { iife, esm } = await bundles();
  assert.doesNotMatch(iife, /\brequire\(|\bimport\(|^import /m, "no module loading at run time");
  assert.doesNotMatch(esm, /\brequire\(|\bimport\(|^import /m);
  FakeSocket.reset();
  const sandbox = { WebSocket: FakeSocket, URL, setTimeout, clearTimeout, encodeURIComponent, console };
  vm.createContext(sandbox);
  vm.runInContext(iife + "\nthis.Realtime = Realtime;", sandbox);
  const client = new sandbox.Realtime.RealtimeClient({ url: "wss://example.test/ws", userId: "alice", diagnose: false, pingIntervalMs: 0 });
  client.connect();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(FakeSocket.instances.length, 1);
  assert.deepEqual([...FakeSocket.last().protocols], ["realtime.v2", "bearer-token-carrier"]);
  client.close();
});

test("the package has no runtime dependency; ws is an optional peer; ESM with types and entry points", () => {
  assert.equal(pkg.type, "module");
  assert.equal(pkg.dependencies, undefined);
  assert.deepEqual(pkg.peerDependenciesMeta, { ws: { optional: true } });
  assert.equal(pkg.exports["."].types, "./index.d.ts");
  assert.equal(pkg.exports["."].node, "./src/node.js");
  assert.equal(pkg.exports["."].default, "./src/index.js");
  assert.deepEqual(pkg.files.sort(), ["README.md", "dist", "index.d.ts", "src"]);
  for (const file of ["src/index.js", "src/node.js", "index.d.ts"]) {
    assert.ok(readFileSync(new URL("../../" + file, import.meta.url)).length > 0, file);
  }
});

test("the Node entry loads ws on its own when no WebSocket is passed", async () => {
  const { RealtimeClient } = await import("../../src/node.js");
  const client = new RealtimeClient({ url: "ws://127.0.0.1:9/ws", userId: "a" });
  const Impl = await client.webSocketImpl();
  assert.equal(Impl, (await import("ws")).default);
});
