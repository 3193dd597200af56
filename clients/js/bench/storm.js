// Reconnect-storm measurement: N library clients on instance A (behind a balancer that routes only to ready
// instances), then A is drained (SIGTERM). Reports how long until every client is open on B, the upgrades B saw per
// second (peak), and how the reconnects were spread. Loopback only; the instances run with their production
// defaults (jwt mode, realtime.shutdown.drain=10s) unless --drain is given.
//
//   node bench/storm.js [--clients 5000] [--drain-window-ms 2000] [--drain 10s] [--json out.json]
import { writeFileSync } from "node:fs";

import { RealtimeClient } from "../src/node.js";
import { BalancerProcess, Keys, Redis, Service, sleep, waitFor } from "../test/harness/index.js";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const CLIENTS = Number(args.clients || 5000);
const DRAIN_WINDOW_MS = Number(args["drain-window-ms"] ?? 2000);
const DRAIN = args.drain || "10s";
const RAMP_PER_SECOND = Number(args.ramp || 1000);
const WARM = Number(args.warm ?? 500);

const keys = new Keys();
const redis = await Redis.start();
const settings = {
  "quarkus.profile": "prod",
  "realtime.shutdown.drain": DRAIN,
  "realtime.max-connections-per-user": "32",
  "quarkus.log.category.\"io.devarno.realtime\".level": "WARN",
};
// the JVM image's settings (src/main/docker/Dockerfile.jvm), as in the other figures of docs/benchmarks.md
const jvm = ["-XX:+UseSerialGC", "-Xms256m", "-Xmn12m", "-Xmx512m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
  "-XX:TieredStopAtLevel=1", "-Dquarkus.vertx.event-loops-pool-size=1"];
const [a, b] = await Promise.all([
  Service.start({ name: "storm-a", redis, keys, settings, jvm }),
  Service.start({ name: "storm-b", redis, keys, settings, jvm }),
]);
const balancer = await BalancerProcess.start([a]);
const clients = [];
let draining = false;

try {
  console.error(`connecting ${CLIENTS} clients to A at ${RAMP_PER_SECOND}/s ...`);
  // signed before any connection: RS256 signing blocks the event loop that the clients need
  const tokens = new Map();
  for (let i = 0; i < CLIENTS; i++) {
    tokens.set(`storm-${i}`, keys.token(`storm-${i}`, 3600));
  }
  for (let i = 0; i < CLIENTS; i++) {
    const userId = `storm-${i}`;
    const c = new RealtimeClient({
      url: balancer.wsUrl,
      getToken: async () => tokens.get(userId),
      drainWindowMs: DRAIN_WINDOW_MS,
      pingIntervalMs: 0,
      diagnose: false,
    });
    c.record = { drainedAt: null, code: null, reopenedAt: null, attempts: 0, refusals: 0 };
    c.on("state", (s) => {
      if (!draining) return;
      if (s.state === "reconnecting" && c.record.drainedAt === null) {
        c.record.drainedAt = Date.now();
        c.record.code = s.code;
      }
      if (s.state === "connecting" && c.record.drainedAt !== null) c.record.attempts++;
      if (s.state === "open" && c.record.drainedAt !== null && c.record.reopenedAt === null) c.record.reopenedAt = Date.now();
    });
    c.on("error", (e) => { if (draining && c.record.drainedAt !== null) c.record.refusals++; });
    c.connect();
    clients.push(c);
    if (i % Math.max(1, Math.floor(RAMP_PER_SECOND / 10)) === 0) await sleep(100);
  }
  await waitFor("every client open on A", () => clients.every((c) => c.state === "open"), 120_000, 200);
  // B is a pod in service, not a cold JVM: it holds its own share of users (WARM clients, connected directly)
  const warm = [];
  for (let i = 0; i < WARM; i++) {
    const userId = `warm-${i}`;
    const token = keys.token(userId, 3600);
    warm.push(new RealtimeClient({ url: b.wsUrl, getToken: async () => token, pingIntervalMs: 0, diagnose: false }).connect());
    if (i % 50 === 0) await sleep(100);
  }
  await waitFor("the warm clients on B", () => warm.every((c) => c.state === "open"), 120_000, 200);
  clients.push(...warm);
  console.error(`A holds ${await a.connections(keys.publisher())} connections; draining A`);
  balancer.add(b);
  await sleep(500);

  // B's upgrades per 100 ms, from its own counter
  const samples = [];
  const openedBefore = await b.metric("realtime_connections_opened_total");
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push({ at: Date.now(), opened: (await b.metric("realtime_connections_opened_total")) - openedBefore });
      await sleep(100);
    }
  })();

  const t0 = Date.now();
  draining = true;
  const exited = a.terminate();
  try {
    await waitFor("every client open again", () => clients.every((c) => !c.record || c.record.reopenedAt !== null), 120_000, 100);
  } catch (error) {
    const states = {};
    clients.filter((c) => c.record).forEach((c) => { const k = `${c.state}/${c.record.code}/${c.record.reopenedAt !== null}`; states[k] = (states[k] || 0) + 1; });
    console.error(error.message, JSON.stringify(states), await b.connections(keys.publisher()));
    throw error;
  }
  const allBackMs = Date.now() - t0;
  await exited;
  sampling = false;
  await sampler;
  const onB = await b.connections(keys.publisher());
  const measured = clients.filter((c) => c.record);

  // peak upgrades per second on B from its own counter: the largest increase over a span of at least 1 s, per second
  // (a loaded pod answers /q/metrics slowly, so spans are not exactly 1 s)
  let peakPerSecond = 0;
  for (let i = 0; i < samples.length; i++) {
    const j = samples.findIndex((s, k) => k > i && s.at - samples[i].at >= 1000);
    if (j > 0) {
      peakPerSecond = Math.max(peakPerSecond, Math.round((samples[j].opened - samples[i].opened) * 1000 / (samples[j].at - samples[i].at)));
    }
  }
  const reopenAfterClose = measured.map((c) => c.record.reopenedAt - c.record.drainedAt).sort((x, y) => x - y);
  const drainedAt = measured.map((c) => c.record.drainedAt - t0).sort((x, y) => x - y);
  const reopenedAt = measured.map((c) => c.record.reopenedAt - t0).sort((x, y) => x - y);
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  const perSecond = new Array(Math.ceil(allBackMs / 1000) + 1).fill(0);
  for (const t of reopenedAt) perSecond[Math.floor(t / 1000)]++;
  const routed = (await balancer.routed()).filter((r) => r.to === "storm-b" && r.at >= t0);
  const routedToB = routed.length;
  const attemptsPerSecond = new Array(Math.ceil(allBackMs / 1000) + 1).fill(0);
  for (const r of routed) attemptsPerSecond[Math.min(attemptsPerSecond.length - 1, Math.floor((r.at - t0) / 1000))]++;

  const result = {
    clients: CLIENTS,
    warmClientsOnB: WARM,
    drain: DRAIN,
    drainWindowMs: DRAIN_WINDOW_MS,
    allBackOnBMs: allBackMs,
    connectionsOnB: onB,
    peakUpgradesPerSecondOnB: peakPerSecond,
    tcpConnectionsRoutedToB: routedToB,
    peakConnectionAttemptsPerSecondToB: Math.max(...attemptsPerSecond),
    peakOpenedPerSecondSeenByClients: Math.max(...perSecond),
    attemptsPerClient: { max: Math.max(...measured.map((c) => c.record.attempts)), total: measured.reduce((s, c) => s + c.record.attempts, 0) },
    refusalsSeen: measured.reduce((s, c) => s + c.record.refusals, 0),
    closeCodes: measured.reduce((counts, c) => ({ ...counts, [c.record.code]: (counts[c.record.code] || 0) + 1 }), {}),
    closedWith1001AfterSigtermMs: { first: drainedAt[0], median: pct(drainedAt, 0.5), last: drainedAt.at(-1) },
    reopenAfterTheirCloseMs: { min: reopenAfterClose[0], p50: pct(reopenAfterClose, 0.5), p90: pct(reopenAfterClose, 0.9), p99: pct(reopenAfterClose, 0.99), max: reopenAfterClose.at(-1) },
    reopenedPerSecondAfterSigterm: perSecond,
    attemptsToBPerSecondAfterSigterm: attemptsPerSecond,
  };
  console.log(JSON.stringify(result, null, 2));
  if (args.json) writeFileSync(args.json, JSON.stringify(result, null, 2));
} finally {
  clients.forEach((c) => c.close());
  await balancer.stop();
  await Promise.all([a.stop(), b.stop()]);
  await redis.stop();
}
