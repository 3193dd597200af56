// Recovery (protocol v2) against two real instances behind a balancer and a real Redis: a drain with every client
// back on the other instance and no message lost, the page-load hand-over, a trimmed history reported as not
// recovered, and a Redis outage (connections stay open; the lost history is reported on the next recovery).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { RealtimeClient } from "../../src/node.js";
import { Balancer, Keys, Redis, Service, sleep, waitFor } from "../harness/index.js";

let redis;
let keys;
let publisher;
let a;
let b;
let balancer;
let seq = 0;

const user = (name) => `${name}-${process.pid}-${++seq}`;

before(async () => {
  keys = new Keys();
  publisher = keys.publisher();
  redis = await Redis.start();
  // 100 kept per user stream: more than a drain's gap at the publishing rate below, fewer than the trimmed test sends
  const settings = { "realtime.history.size": "100" };
  [a, b] = await Promise.all([
    Service.start({ name: "a", redis, keys, settings }),
    Service.start({ name: "b", redis, keys, settings }),
  ]);
  balancer = await Balancer.start([a]);
});

const clients = [];

after(async () => {
  clients.forEach((c) => c.close()); // a failed test leaves none reconnecting (the run would never end)
  await balancer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
});

function client(userId, options = {}) {
  const c = new RealtimeClient({
    url: balancer.wsUrl,
    getToken: async () => keys.token(userId, 600),
    pingIntervalMs: 0,
    ...options,
  });
  c.log = [];
  for (const name of ["message", "state", "recovered", "error"]) {
    c.on(name, (payload) => c.log.push({ name, at: Date.now(), ...payload }));
  }
  c.events = (name) => c.log.filter((e) => e.name === name);
  c.data = () => c.events("message").map((m) => m.data);
  clients.push(c);
  return c;
}

async function publishAll(service, userId, payloads) {
  const accepted = [];
  for (const payload of payloads) {
    const r = await service.publish(userId, payload, publisher);
    assert.equal(r.status, 202, `publish ${payload}: ${JSON.stringify(r.body)}`);
    accepted.push(r.body);
  }
  return accepted;
}

describe("recovery against the real service", () => {
  test("a drain: every client is back on the other instance, no message lost, none twice, in order", async () => {
    const users = Array.from({ length: 8 }, (_, i) => user(`drain${i}`));
    const clients = users.map((u) => client(u));
    clients.forEach((c) => c.connect());
    await waitFor("all open on a", () => clients.every((c) => c.state === "open" && c.connectionId));
    assert.equal(await a.connections(publisher), users.length);
    balancer.add(b);

    // publish to every user through b, before, during and after the drain of a
    const sent = new Map(users.map((u) => [u, []]));
    let publishing = true;
    const publisherLoop = (async () => {
      for (let n = 1; publishing; n++) {
        await Promise.all(users.map(async (u) => {
          const r = await b.publish(u, `m${n}`, publisher);
          if (r.status === 202) {
            sent.get(u).push(`m${n}`);
          }
        }));
        await sleep(100);
      }
    })();
    await sleep(500);
    const terminated = a.terminate();
    await waitFor("every client back", () => clients.every((c) => c.events("state").filter((s) => s.state === "open").length === 2), 20_000);
    await terminated;
    await sleep(500);
    publishing = false;
    await publisherLoop;
    await waitFor("the last messages", () => clients.every((c, i) => c.data().length >= sent.get(users[i]).length), 10_000);

    assert.equal(await b.connections(publisher), users.length, "all on b");
    clients.forEach((c, i) => {
      assert.deepEqual(c.data(), sent.get(users[i]), `${users[i]}: exactly what was accepted, once, in order`);
      const drained = c.events("state").find((s) => s.code === 1001);
      assert.equal(drained.state, "reconnecting");
      assert.ok(drained.delayMs <= 2_000, "within the drain window");
      assert.deepEqual(c.events("recovered").map((r) => r.complete), [true]);
      assert.deepEqual(c.events("error"), []);
    });
    clients.forEach((c) => c.close());
  });

  test("the page-load hand-over: a position read from the history API loses nothing published before the socket opens", async () => {
    const u = user("page");
    await publishAll(b, u, ["before-1", "before-2"]);
    const position = JSON.parse((await b.get(`/api/v1/realtime/users/${u}/history?limit=0`, { Authorization: `Bearer ${publisher}` })).text);
    await publishAll(b, u, ["between-1", "between-2"]); // the page is on its way to the browser
    const c = client(u, { position: { user: { epoch: position.epoch, offset: position.offset } } });
    c.connect();
    await waitFor("the two messages", () => c.data().length >= 2);
    await sleep(300);
    assert.deepEqual(c.data(), ["between-1", "between-2"]);
    assert.deepEqual(c.events("recovered").map((r) => [r.complete, r.user.recovered]), [[true, true]]);
    c.close();
  });

  test("a trimmed history (more missed than realtime.history.size) is reported as not recovered; what is kept arrives once", async () => {
    const u = user("trim");
    const first = client(u);
    first.connect();
    await waitFor("open", () => first.connectionId);
    await publishAll(b, u, ["m0"]);
    await waitFor("m0", () => first.data().includes("m0"));
    first.close();
    const missed = Array.from({ length: 115 }, (_, i) => `m${i + 1}`);
    await publishAll(b, u, missed); // 100 are kept per user stream
    const second = client(u, { position: first.positions });
    second.connect();
    await waitFor("the kept messages", () => second.data().length >= 100);
    await sleep(300);
    assert.deepEqual(second.data(), missed.slice(15), "the last 100 kept, in order, once");
    const [report] = second.events("recovered");
    assert.equal(report.complete, false);
    assert.equal(report.user.recovered, false);

    // and a gap the history still covers is recovered completely
    const third = client(u, { position: second.positions });
    second.close();
    await publishAll(b, u, ["n1", "n2", "n3"]);
    third.connect();
    await waitFor("n1..n3", () => third.data().length >= 3);
    await sleep(300);
    assert.deepEqual(third.data(), ["n1", "n2", "n3"]);
    assert.deepEqual(third.events("recovered").map((r) => r.complete), [true]);
    third.close();
  });

  test("a Redis outage: the open connection stays open, delivery resumes, and the lost history is reported as not recovered", async () => {
    const u = user("outage");
    const c = client(u);
    c.connect();
    await waitFor("open", () => c.connectionId);
    await publishAll(b, u, ["before"]);
    await waitFor("before", () => c.data().includes("before"));
    const positionBefore = c.positions;

    await redis.kill();
    assert.equal((await b.publish(u, "during", publisher)).status, 503, "publishing fails fast during the outage");
    await sleep(1_500);
    await redis.launch(); // same port, empty: the history is gone
    await waitFor("b ready again", async () => (await b.get("/q/health/ready")).status === 200, 20_000);
    await sleep(2_500); // the pod re-subscribes its channels within one ping-interval (1 s in the test profile)
    await publishAll(b, u, ["after"]);
    await waitFor("after", () => c.data().includes("after"), 10_000);
    assert.equal(c.data().filter((d) => d === "after").length, 1);
    assert.deepEqual(c.events("state").map((s) => s.state), ["connecting", "open"], "never reconnected");

    const late = client(u, { position: positionBefore });
    late.connect();
    await waitFor("its recovery report", () => late.events("recovered").length === 1);
    const [report] = late.events("recovered");
    assert.equal(report.complete, false, "the epoch changed: the client is told to reload");
    assert.notEqual(report.user.epoch, positionBefore.user.epoch);
    c.close();
    late.close();
  });
});
