// The client against the real service (packaged jar, jwt mode, test profile) and a real Redis: token renewal,
// 4001 and a fresh token, a token no fresh one cures, a slow consumer's 1013, refused upgrades (429, 403 origin).
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";

import { RealtimeClient } from "../../src/node.js";
import { Keys, Redis, Service, sleep, waitFor } from "../harness/index.js";

let redis;
let service;
let keys;
let publisher;
let seq = 0;

const user = (name) => `${name}-${process.pid}-${++seq}`;

before(async () => {
  keys = new Keys();
  redis = await Redis.start();
  service = await Service.start({ name: "solo", redis, keys });
  publisher = keys.publisher();
});

const clients = [];

after(async () => {
  clients.forEach((c) => c.close()); // a failed test leaves none reconnecting (the run would never end)
  await service?.stop();
  await redis?.stop();
});

/** A client with every event recorded. */
function client(options) {
  const c = new RealtimeClient({ url: service.wsUrl, pingIntervalMs: 0, ...options });
  c.log = [];
  for (const name of ["message", "state", "recovered", "error", "renewed"]) {
    c.on(name, (payload) => c.log.push({ name, at: Date.now(), ...payload }));
  }
  c.events = (name) => c.log.filter((e) => e.name === name);
  clients.push(c);
  return c;
}

describe("the client against the real service", () => {
  test("renews its token on the open connection: it outlives several token lifetimes without a reconnect", async () => {
    const alice = user("alice");
    const requests = [];
    const c = client({
      getToken: async (request) => { requests.push(request); return keys.token(alice, 4); },
      renewBeforeMs: 2_000,
    });
    c.connect();
    await waitFor("open", () => c.state === "open");
    await sleep(9_500);
    assert.equal(c.state, "open");
    assert.deepEqual(c.events("state").map((s) => s.state), ["connecting", "open"], "never closed, never reconnected");
    const renewed = c.events("renewed");
    assert.ok(renewed.length >= 3, `renewed ${renewed.length} times in 9.5 s of 4-s tokens`);
    for (let i = 1; i < renewed.length; i++) {
      assert.ok(renewed[i].expiresAt > renewed[i - 1].expiresAt, "each renewal moves exp forward");
    }
    assert.deepEqual(requests.slice(0, 2), [{ fresh: false, reason: "connect" }, { fresh: true, reason: "renew" }]);
    assert.equal((await service.publish(alice, "still here", publisher)).status, 202);
    await waitFor("the message after the renewals", () => c.events("message").some((m) => m.data === "still here"));
    assert.deepEqual(c.events("error"), []);
    c.close();
  });

  test("after a 4001 it reconnects at once with a fresh token", async () => {
    const bob = user("bob");
    const requests = [];
    const c = client({
      getToken: async (request) => { requests.push(request); return keys.token(bob, 2); },
      renew: false,
    });
    c.connect();
    await waitFor("a 4001", () => c.events("state").some((s) => s.code === 4001), 10_000);
    await waitFor("open again", () => c.state === "open");
    const closed = c.events("state").find((s) => s.code === 4001);
    const reopened = c.events("state").filter((s) => s.state === "open")[1];
    assert.equal(closed.state, "reconnecting");
    assert.ok(closed.delayMs <= 500, `reconnect within the token retry window (${closed.delayMs} ms)`);
    assert.ok(reopened.at - closed.at < 3_000, "open again promptly");
    assert.deepEqual(requests[1], { fresh: true, reason: "expired" });
    assert.equal((await service.publish(bob, "after 4001", publisher)).status, 202);
    await waitFor("the message on the new connection", () => c.events("message").some((m) => m.data === "after 4001"));
    assert.deepEqual(c.events("error"), []);
    c.close();
  });

  test("a token that a fresh token does not cure: one retry with a fresh token, then a fatal error, no loop", async () => {
    const carol = user("carol");
    const requests = [];
    const c = client({ getToken: async (request) => { requests.push(request); return keys.token(carol, -60); } });
    c.connect();
    await waitFor("closed", () => c.state === "closed");
    const errors = c.events("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, "unauthorized");
    assert.equal(errors[0].fatal, true);
    assert.equal(errors[0].status, 401);
    assert.deepEqual(requests, [{ fresh: false, reason: "connect" }, { fresh: true, reason: "expired" }]);
    await sleep(1_500);
    assert.equal(requests.length, 2, "no further attempt");
  });

  test("an origin the service refuses (403) stops the client with origin_refused", async () => {
    const c = client({
      getToken: async () => keys.token(user("dave"), 600),
      wsOptions: { headers: { Origin: "https://evil.example" } },
    });
    c.connect();
    await waitFor("closed", () => c.state === "closed");
    assert.deepEqual(c.events("error").map((e) => [e.code, e.status, e.fatal]), [["origin_refused", 403, true]]);
  });

  test("a refused upgrade (429, too many connections of the user) backs off instead of retrying at once", async () => {
    const erin = user("erin");
    const holders = [];
    for (let i = 0; i < 4; i++) { // realtime.max-connections-per-user=4 in the test profile
      const holder = client({ getToken: async () => keys.token(erin, 600) });
      holder.connect();
      holders.push(holder);
    }
    await waitFor("four open", () => holders.every((h) => h.state === "open"));
    const attempts = [];
    const fifth = client({
      getToken: async () => { attempts.push(Date.now()); return keys.token(erin, 600); },
      backoff: { baseMs: 400, capMs: 5_000 },
      random: () => 0, // the lowest draw: a pushed-back wait is still half the ceiling, a plain backoff would be 0
    });
    fifth.connect();
    await waitFor("a refusal", () => fifth.events("error").length > 0);
    const [refusal] = fifth.events("error");
    assert.deepEqual([refusal.code, refusal.status, refusal.fatal], ["too_many_connections", 429, false]);
    const waiting = fifth.events("state").find((s) => s.state === "reconnecting");
    assert.equal(waiting.status, 429);
    assert.ok(waiting.delayMs >= 200, `pushed back at least half the first ceiling (${waiting.delayMs} ms)`);
    await sleep(2_500);
    assert.ok(attempts.length <= 4, `at most 4 attempts in 2.5 s (${attempts.length}): no tight loop`);
    holders[0].close();
    await waitFor("the fifth gets in once a slot is free", () => fifth.state === "open", 15_000);
    for (const c of [fifth, ...holders]) {
      c.close();
    }
  });

  test("a slow consumer's 1013: reported, then backed off before the next attempt", async () => {
    const frank = user("frank");
    let raw = null;
    const c = client({
      getToken: async () => keys.token(frank, 600),
      backoff: { baseMs: 1_000, capMs: 10_000 },
      random: () => 0, // the lowest draw: a pushed-back wait is still half the ceiling, a plain backoff would be 0
      // the application stops reading: the TCP socket under the WebSocket is paused
      wsOptions: { createConnection: (options) => (raw = net.connect(options)) },
    });
    c.connect();
    await waitFor("open", () => c.state === "open");
    raw.pause();
    const big = "x".repeat(60 * 1024);
    for (let i = 0; i < 400 && !c.events("error").length; i++) {
      await service.publish(frank, big, publisher);
    }
    raw.resume();
    await waitFor("the 1013", () => c.events("state").some((s) => s.code === 1013), 15_000);
    const closed = c.events("state").find((s) => s.code === 1013);
    assert.equal(closed.state, "reconnecting");
    assert.ok(closed.delayMs >= 500, `backed off at least half the base ceiling (${closed.delayMs} ms)`);
    assert.deepEqual(c.events("error").map((e) => [e.code, e.closeCode, e.fatal]), [["slow_consumer", 1013, false]]);
    await waitFor("open again", () => c.state === "open", 15_000);
    const reopened = c.events("state").filter((s) => s.state === "open")[1];
    assert.ok(reopened.at - closed.at >= closed.delayMs, "not before the backoff");
    c.close();
  });
});
