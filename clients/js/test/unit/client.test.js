import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { RealtimeClient } from "../../src/index.js";
import { FakeClock, FakeSocket, fakeJwt, settle } from "./fakes.js";

let clock;

beforeEach(() => {
  FakeSocket.reset();
  clock = new FakeClock();
});

/** A client on fakes; records every event. */
function client(options = {}) {
  const c = new RealtimeClient({
    url: "ws://realtime.test/ws",
    WebSocket: FakeSocket,
    clock,
    random: () => 0.5,
    diagnose: false,
    pingIntervalMs: 0,
    networkEvents: null,
    ...options,
  });
  c.events = [];
  for (const name of ["message", "state", "recovered", "error", "renewed"]) {
    c.on(name, (payload) => c.events.push([name, payload]));
  }
  c.messages = () => c.events.filter(([n]) => n === "message").map(([, m]) => m);
  c.errors = () => c.events.filter(([n]) => n === "error").map(([, e]) => e);
  c.states = () => c.events.filter(([n]) => n === "state").map(([, s]) => s.state);
  return c;
}

function tokens(lifetimeSeconds = 3600) {
  const calls = [];
  const getToken = async (context) => {
    calls.push(context);
    return fakeJwt("alice", Math.floor(clock.now() / 1000) + lifetimeSeconds);
  };
  return { calls, getToken };
}

const WELCOME = { type: "welcome", connection: "c1", user: { epoch: "e1", offset: 0, recovered: false }, broadcast: { epoch: "b1", offset: 0, recovered: false } };

test("connects through the subprotocol carrier, offering realtime.v2 first", async () => {
  const { getToken, calls } = tokens();
  const c = client({ getToken });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  const token = await getToken();
  assert.equal(socket.url.toString(), "ws://realtime.test/ws");
  assert.deepEqual(socket.protocols.slice(0, 2), ["realtime.v2", "bearer-token-carrier"]);
  assert.equal(socket.protocols[2], encodeURIComponent("quarkus-http-upgrade#Authorization#Bearer " + token));
  assert.deepEqual(calls[0], { fresh: false, reason: "connect" });
  socket.accept();
  assert.deepEqual(c.states(), ["connecting", "open"]);
});

test("without getToken (trusted-header dev setups) it sends user_id and offers realtime.v2, then the carrier's name for a v1 server", async () => {
  const c = client({ userId: "bob@example" });
  c.connect();
  await settle();
  assert.deepEqual(FakeSocket.last().protocols, ["realtime.v2", "bearer-token-carrier"]);
  assert.equal(FakeSocket.last().url.searchParams.get("user_id"), "bob@example");
});

test("messages reach the application once, in order, across a drain's 1001 and a replay", async () => {
  const c = client({ getToken: tokens().getToken });
  c.connect();
  await settle();
  let socket = FakeSocket.last();
  socket.accept();
  socket.receive(WELCOME);
  for (const offset of [1, 2, 3]) {
    socket.receive({ type: "message", stream: "user", epoch: "e1", offset, data: `u${offset}` });
  }
  socket.receive({ type: "message", stream: "broadcast", epoch: "b1", offset: 1, data: "b1" });
  socket.receive({ type: "message", stream: "user", data: "plain publish" });
  socket.serverClose(1001, "server shutting down");
  assert.equal(c.state, "reconnecting");
  assert.ok(clock.nextDelay() <= 2000, "a drain's reconnect comes within the drain window");
  await clock.advance(2000);
  socket = FakeSocket.last();
  assert.equal(FakeSocket.instances.length, 2);
  assert.equal(socket.url.searchParams.get("since"), "e1:3");
  assert.equal(socket.url.searchParams.get("broadcast_since"), "b1:1");
  socket.accept();
  socket.receive({ ...WELCOME, connection: "c2", user: { epoch: "e1", offset: 5, recovered: true }, broadcast: { epoch: "b1", offset: 1, recovered: true } });
  for (const offset of [2, 3, 4, 5]) { // the server replays; 2 and 3 were seen already
    socket.receive({ type: "message", stream: "user", epoch: "e1", offset, data: `u${offset}` });
  }
  socket.receive({ type: "message", stream: "user", epoch: "e1", offset: 6, data: "u6" });
  assert.deepEqual(c.messages().map((m) => m.data), ["u1", "u2", "u3", "b1", "plain publish", "u4", "u5", "u6"]);
  assert.deepEqual(c.messages()[0], { data: "u1", stream: "user", epoch: "e1", offset: 1 });
  assert.deepEqual(c.messages()[4], { data: "plain publish", stream: "user" });
  const recovered = c.events.filter(([n]) => n === "recovered").map(([, r]) => r);
  assert.deepEqual(recovered, [{ complete: true, user: { recovered: true, epoch: "e1", offset: 5 }, broadcast: { recovered: true, epoch: "b1", offset: 1 } }]);
  assert.equal(c.connectionId, "c2");
  assert.deepEqual(c.positions, { user: { epoch: "e1", offset: 6 }, broadcast: { epoch: "b1", offset: 1 } });
});

test("a trimmed history is reported as not recovered", async () => {
  const c = client({ getToken: tokens().getToken, position: { user: { epoch: "e1", offset: 3 } } });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  assert.equal(socket.url.searchParams.get("since"), "e1:3", "the handed-over position is used on the first connection");
  socket.accept();
  socket.receive({ ...WELCOME, user: { epoch: "e1", offset: 500, recovered: false } });
  const [[, report]] = c.events.filter(([n]) => n === "recovered");
  assert.equal(report.complete, false);
  assert.deepEqual(report.user, { recovered: false, epoch: "e1", offset: 500 });
});

test("repeated failures back off exponentially with full jitter up to the cap", async () => {
  const c = client({ random: () => 0.999, backoff: { baseMs: 100, capMs: 1000 } });
  c.connect();
  await settle();
  const delays = [];
  for (let i = 0; i < 7; i++) {
    FakeSocket.last().serverClose(1006);
    delays.push(clock.nextDelay());
    await clock.advance(clock.nextDelay());
  }
  assert.deepEqual(delays, [99, 199, 399, 799, 999, 999, 999]);
  assert.equal(FakeSocket.instances.length, 8);
});

test("the backoff starts again from the base only after a connection stayed open stableAfterMs", async () => {
  const c = client({ random: () => 0.999, backoff: { baseMs: 100, capMs: 10_000 }, stableAfterMs: 5000 });
  c.connect();
  await settle();
  for (let i = 0; i < 3; i++) {
    FakeSocket.last().serverClose(1006);
    await clock.advance(clock.nextDelay());
  }
  FakeSocket.last().accept();
  await clock.advance(1000);
  FakeSocket.last().serverClose(1006);
  assert.equal(clock.nextDelay(), 799, "open for 1 s: not proven, the backoff goes on");
  await clock.advance(clock.nextDelay());
  FakeSocket.last().accept();
  await clock.advance(5000);
  FakeSocket.last().serverClose(1006);
  assert.equal(clock.nextDelay(), 99, "open for 5 s: back to the base");
});

test("1013 backs off (never sooner than half the ceiling) and reports why", async () => {
  const c = client({ random: () => 0, backoff: { baseMs: 1000, capMs: 60_000 } });
  c.connect();
  await settle();
  const delays = [];
  for (let i = 0; i < 4; i++) {
    FakeSocket.last().accept();
    FakeSocket.last().serverClose(1013, "slow consumer");
    delays.push(clock.nextDelay());
    await clock.advance(clock.nextDelay());
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  assert.equal(c.errors()[0].code, "slow_consumer");
  assert.equal(c.errors()[0].fatal, false);
  assert.equal(c.state, "connecting");
});

test("1008 stops for good with a fatal error", async () => {
  const c = client({ getToken: tokens().getToken });
  c.connect();
  await settle();
  FakeSocket.last().accept();
  FakeSocket.last().serverClose(1008, "too many frames");
  assert.equal(c.state, "closed");
  assert.deepEqual(c.errors(), [{ code: "policy", message: "closed by policy (1008: too many frames); retrying cannot help", fatal: true, closeCode: 1008 }]);
  await clock.advance(3_600_000);
  assert.equal(FakeSocket.instances.length, 1, "no reconnect");
});

test("after 4001 it reconnects promptly with a fresh token", async () => {
  const { getToken, calls } = tokens();
  const c = client({ getToken });
  c.connect();
  await settle();
  FakeSocket.last().accept();
  FakeSocket.last().serverClose(4001, "token expired");
  assert.ok(clock.nextDelay() <= 500);
  await clock.advance(500);
  assert.equal(FakeSocket.instances.length, 2);
  assert.deepEqual(calls.at(-1), { fresh: true, reason: "expired" });
});

test("a refused upgrade seen as 1006 is diagnosed: 401 gets one fresh token, a second 401 stops", async () => {
  const answers = [];
  const fetch = async (url, init) => {
    answers.push({ url, auth: init.headers.Authorization });
    return new Response('{"error":"unauthorized","message":"token expired"}', { status: 401 });
  };
  const { getToken, calls } = tokens();
  const c = client({ getToken, diagnose: true, fetch });
  c.connect();
  await settle();
  FakeSocket.last().serverClose(1006);
  await settle();
  assert.equal(answers.length, 1);
  assert.equal(answers[0].url, "http://realtime.test/ws");
  assert.match(answers[0].auth, /^Bearer ey/);
  assert.equal(c.state, "reconnecting");
  await clock.advance(clock.nextDelay());
  assert.deepEqual(calls.at(-1), { fresh: true, reason: "expired" });
  FakeSocket.last().serverClose(1006);
  await settle();
  assert.equal(c.state, "closed");
  assert.equal(c.errors().at(-1).code, "unauthorized");
  assert.equal(c.errors().at(-1).status, 401);
  assert.equal(c.errors().at(-1).fatal, true);
});

test("a diagnosed 503 with Retry-After waits at least that long; an origin refusal stops", async () => {
  let answer = { status: 503, body: '{"error":"draining","message":"x"}', headers: { "Retry-After": "7" } };
  const fetch = async () => new Response(answer.body, { status: answer.status, headers: answer.headers || {} });
  const c = client({ diagnose: true, fetch, random: () => 0 });
  c.connect();
  await settle();
  FakeSocket.last().serverClose(1006);
  await settle();
  assert.equal(clock.nextDelay(), 7000);
  assert.deepEqual(c.errors()[0], {
    code: "unavailable", message: "the upgrade was refused with 503 (draining): backing off", fatal: false,
    closeCode: 1006, status: 503, retryAfterMs: 7000,
  });
  await clock.advance(6999);
  assert.equal(FakeSocket.instances.length, 1, "not before Retry-After");
  await clock.advance(1);
  assert.equal(FakeSocket.instances.length, 2);
  answer = { status: 403, body: '{"error":"origin_not_allowed","message":"x"}' };
  FakeSocket.last().serverClose(1006);
  await settle();
  assert.equal(c.state, "closed");
  assert.equal(c.errors().at(-1).code, "origin_refused");
});

test("a diagnosis that is not the service's JSON refusal (a plain 404 page) counts as unknown: ordinary backoff", async () => {
  const fetch = async () => new Response("<html>Resource not found</html>", { status: 404 });
  const c = client({ diagnose: true, fetch, random: () => 0.999, backoff: { baseMs: 100, capMs: 1000 } });
  c.connect();
  await settle();
  FakeSocket.last().serverClose(1006);
  await settle();
  assert.equal(c.state, "reconnecting");
  assert.equal(clock.nextDelay(), 99);
  assert.deepEqual(c.errors(), []);
});

test("the token is renewed renewBeforeMs before exp with an auth frame, then again after the reply", async () => {
  const { getToken, calls } = tokens(120);
  const c = client({ getToken, renewBeforeMs: 30_000 });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  socket.accept();
  await clock.advance(89_999);
  assert.deepEqual(socket.sent, [], "not yet");
  await clock.advance(1);
  const [frame] = socket.sentFrames();
  assert.equal(frame.type, "auth");
  assert.deepEqual(calls.at(-1), { fresh: true, reason: "renew" });
  const newExp = Math.floor(clock.now() / 1000) + 120;
  socket.receive({ type: "auth", ok: true, exp: newExp });
  assert.equal(c.events.filter(([n]) => n === "renewed").length, 1);
  assert.equal(c.messages().length, 0, "the auth reply is not a message");
  await clock.advance(89_999);
  assert.equal(socket.sent.length, 1);
  await clock.advance(1);
  assert.equal(socket.sent.length, 2, "renewed again 30 s before the new exp");
});

test("a short-lived token is renewed at half its remaining life; a refused renewal is reported", async () => {
  const c = client({ getToken: tokens(10).getToken, renewBeforeMs: 30_000 });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  socket.accept();
  await clock.advance(4_999);
  assert.equal(socket.sent.length, 0);
  await clock.advance(1);
  assert.equal(socket.sent.length, 1);
  socket.receive({ type: "error", code: "bad_request", message: "token subject differs" });
  assert.equal(c.errors()[0].code, "renewal_refused");
  assert.equal(c.errors()[0].fatal, false);
  assert.equal(c.state, "open");
});

test("a provider that returns no fresher token is asked again later, not sent", async () => {
  const fixed = fakeJwt("alice", Math.floor(clock.now() / 1000) + 20);
  const c = client({ getToken: async () => fixed, renewBeforeMs: 5_000 });
  c.connect();
  await settle();
  FakeSocket.last().accept();
  await clock.advance(16_000);
  assert.deepEqual(FakeSocket.last().sent, []);
});

test("close() closes with 1000 and nothing reconnects", async () => {
  const c = client({ getToken: tokens().getToken });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  socket.accept();
  c.close();
  assert.deepEqual(socket.closedByClient, { code: 1000, reason: "closed by the client" });
  assert.equal(c.state, "closed");
  socket.serverClose(1000);
  await clock.advance(600_000);
  assert.equal(FakeSocket.instances.length, 1);
  assert.deepEqual(c.errors(), []);
});

test("close() while getToken() is pending opens nothing", async () => {
  let release;
  const c = client({ getToken: () => new Promise((resolve) => { release = resolve; }) });
  c.connect();
  await settle();
  c.close();
  release(fakeJwt("alice", 2_000_000_000));
  await settle();
  assert.equal(FakeSocket.instances.length, 0);
});

test("a failing token provider is retried with backoff, not given up", async () => {
  let fail = true;
  const c = client({ getToken: async () => { if (fail) { throw new Error("idp down"); } return fakeJwt("a", 2_000_000_000); } });
  c.connect();
  await settle();
  assert.equal(c.state, "reconnecting");
  assert.equal(c.errors()[0].code, "token_provider");
  fail = false;
  await clock.advance(clock.nextDelay());
  assert.equal(FakeSocket.instances.length, 1);
});

test("an unanswered ping abandons a dead connection and reconnects", async () => {
  const c = client({ pingIntervalMs: 20_000, pongTimeoutMs: 5_000 });
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  socket.accept();
  await clock.advance(20_000);
  assert.deepEqual(socket.sentFrames(), [{ type: "ping" }]);
  socket.receive({ type: "pong" });
  await clock.advance(20_000);
  assert.equal(socket.sent.length, 2);
  await clock.advance(5_000);
  assert.equal(c.state, "reconnecting", "no frame within the pong timeout");
  assert.ok(socket.closedByClient);
  assert.equal(c.messages().length, 0, "pongs are not messages");
});

test("offline pauses the retries; online reconnects promptly", async () => {
  const network = new EventTarget();
  const c = client({ networkEvents: network, random: () => 0.999, backoff: { baseMs: 1000, capMs: 60_000 } });
  c.connect();
  await settle();
  for (let i = 0; i < 5; i++) {
    FakeSocket.last().serverClose(1006);
    await clock.advance(clock.nextDelay());
  }
  FakeSocket.last().serverClose(1006);
  assert.ok(clock.nextDelay() > 30_000);
  network.dispatchEvent(new Event("offline"));
  assert.equal(c.state, "offline");
  assert.equal(clock.nextDelay(), undefined, "no timer while offline");
  network.dispatchEvent(new Event("online"));
  assert.equal(c.state, "reconnecting");
  assert.ok(clock.nextDelay() < 1000, "back online: within the base, not the accumulated backoff");
  c.close();
  network.dispatchEvent(new Event("online"));
  assert.equal(c.state, "closed");
});

test("a v1 server (no realtime.v2 selected) delivers frames verbatim and swallows only its pongs", async () => {
  const c = client({ pingIntervalMs: 1000 });
  c.connect();
  await settle();
  FakeSocket.last().accept("bearer-token-carrier");
  FakeSocket.last().receive('{"type":"notice","n":1}');
  FakeSocket.last().receive({ type: "pong" });
  FakeSocket.last().receive("not json");
  assert.deepEqual(c.messages(), [{ data: '{"type":"notice","n":1}' }, { data: "not json" }]);
});

test("a v2 welcome as the first frame is recognised even when the carrier was the selected subprotocol", async () => {
  const c = client({ getToken: tokens().getToken });
  c.connect();
  await settle();
  FakeSocket.last().accept("bearer-token-carrier");
  FakeSocket.last().receive(WELCOME);
  FakeSocket.last().receive({ type: "message", stream: "user", epoch: "e1", offset: 1, data: "x" });
  assert.deepEqual(c.messages(), [{ data: "x", stream: "user", epoch: "e1", offset: 1 }]);
});

test("ping() resolves with the round trip when the pong arrives, and rejects when not open or when the connection ends", async () => {
  const c = client({});
  await assert.rejects(c.ping(), /not connected/);
  c.connect();
  await settle();
  const socket = FakeSocket.last();
  socket.accept();
  const roundTrip = c.ping();
  assert.deepEqual(socket.sentFrames(), [{ type: "ping" }]);
  await clock.advance(42);
  socket.receive({ type: "pong" });
  assert.equal(await roundTrip, 42);
  const lost = c.ping();
  socket.serverClose(1006);
  await assert.rejects(lost, /ended/);
  assert.deepEqual(c.messages(), []);
});

test("an upgrade not answered within connectTimeoutMs is abandoned and pushed back (never retried at once), without a diagnosis", async () => {
  let diagnosed = 0;
  const c = client({ connectTimeoutMs: 15_000, random: () => 0, backoff: { baseMs: 1000, capMs: 60_000 }, diagnose: true,
    fetch: async () => { diagnosed++; return new Response("{}", { status: 503 }); } });
  c.connect();
  await settle();
  const first = FakeSocket.last();
  await clock.advance(14_999);
  assert.equal(c.state, "connecting");
  await clock.advance(1);
  assert.ok(first.closedByClient, "the pending upgrade is given up");
  assert.equal(c.state, "reconnecting");
  assert.equal(clock.nextDelay(), 500, "half the first ceiling even at the lowest draw");
  assert.equal(diagnosed, 0, "a busy pod is not asked again why");
});
