// Integration-test harness: a real redis-server, the packaged service (target/quarkus-app/quarkus-run.jar) started
// as separate processes on free ports, RS256 tokens signed with a key pair made here, and a small TCP balancer that
// routes new connections only to ready instances (as a Kubernetes Service does).
import { fork, spawn } from "node:child_process";
import { once } from "node:events";
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
export const JAR = process.env.REALTIME_JAR || join(REPO, "target", "quarkus-app", "quarkus-run.jar");
export const REDIS_SERVER = process.env.REDIS_SERVER || "/usr/bin/redis-server";
const LOGS = join(REPO, "target", "js-it");
export const ISSUER = "https://issuer.js-it.test";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every process started here dies with this one, however it ends (a failed test, Ctrl+C, SIGTERM).
const children = new Set();
process.on("exit", () => {
  for (const child of children) {
    child.kill("SIGKILL");
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => process.exit(130));
}

function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls until check() returns a truthy value (returned), or throws after timeoutMs naming what it waited for. */
export async function waitFor(what, check, timeoutMs = 15_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

function logFile(name) {
  mkdirSync(LOGS, { recursive: true });
  return join(LOGS, name);
}

// ---- Redis ----

/** A real redis-server on a free port (no persistence). */
export class Redis {
  static async start(port) {
    const redis = new Redis(port || await freePort());
    await redis.launch();
    return redis;
  }

  constructor(port) {
    this.port = port;
    this.process = null;
  }

  get uri() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async launch() {
    if (!existsSync(REDIS_SERVER)) {
      throw new Error(`${REDIS_SERVER} is missing (Debian: apt-get install redis-server; .ci/run installs it)`);
    }
    const out = openSync(logFile(`redis-${this.port}.log`), "a");
    this.process = track(spawn(REDIS_SERVER, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", out, out] }));
    await waitFor(`redis on ${this.port}`, async () => (await this.command("PING")) === "PONG", 10_000);
  }

  /** SIGKILL: an outage. */
  async kill() {
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill("SIGKILL");
    await exited;
  }

  async stop() {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      await this.kill();
    }
  }

  /** One command over RESP; resolves with the first reply (simple string, integer, bulk, or array of those). */
  command(...args) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.port, "127.0.0.1");
      let buffer = "";
      socket.setTimeout(2000, () => socket.destroy(new Error("redis timeout")));
      socket.on("error", reject);
      socket.on("data", (chunk) => {
        buffer += chunk.toString("utf8");
        const parsed = parseResp(buffer, 0);
        if (parsed) {
          socket.end();
          parsed.value instanceof Error ? reject(parsed.value) : resolve(parsed.value);
        }
      });
      socket.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(""));
    });
  }
}

function parseResp(text, at) {
  const end = text.indexOf("\r\n", at);
  if (end < 0) {
    return null;
  }
  const kind = text[at];
  const line = text.slice(at + 1, end);
  if (kind === "+") return { value: line, next: end + 2 };
  if (kind === "-") return { value: new Error(line), next: end + 2 };
  if (kind === ":") return { value: Number(line), next: end + 2 };
  if (kind === "$") {
    const length = Number(line);
    if (length < 0) return { value: null, next: end + 2 };
    if (text.length < end + 2 + length + 2) return null;
    return { value: text.slice(end + 2, end + 2 + length), next: end + 2 + length + 2 };
  }
  if (kind === "*") {
    const count = Number(line);
    const items = [];
    let next = end + 2;
    for (let i = 0; i < count; i++) {
      const item = parseResp(text, next);
      if (!item) return null;
      items.push(item.value);
      next = item.next;
    }
    return { value: items, next };
  }
  throw new Error("unexpected RESP: " + text.slice(at, at + 40));
}

// ---- tokens ----

/** An RS256 key pair for the run; the public key is written where the service reads it. */
export class Keys {
  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey;
    const dir = mkdtempSync(join(tmpdir(), "js-it-keys-"));
    this.publicKeyPath = join(dir, "public.pem");
    writeFileSync(this.publicKeyPath, publicKey.export({ type: "spki", format: "pem" }));
  }

  /** A signed token for sub, expiring in lifetimeSeconds (may be fractional: exp is rounded down to a second). */
  token(sub, lifetimeSeconds = 3600, groups = []) {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT" };
    const claims = { iss: ISSUER, sub, iat: now, exp: Math.floor(Date.now() / 1000 + lifetimeSeconds), groups };
    const encode = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const input = `${encode(header)}.${encode(claims)}`;
    return `${input}.${sign("RSA-SHA256", Buffer.from(input), this.privateKey).toString("base64url")}`;
  }

  publisher() {
    return this.token("backend", 3600, ["realtime-publisher"]);
  }
}

// ---- the service ----

export class Service {
  /** Starts the packaged service against redis, in jwt mode with keys (or trusted-header without), and waits until ready. */
  static async start({ name, redis, keys, settings = {}, jvm = ["-Xmx256m", "-XX:TieredStopAtLevel=1"] }) {
    if (!existsSync(JAR)) {
      throw new Error(`${JAR} is missing: build the service first (./mvnw package)`);
    }
    const port = await freePort();
    const all = {
      "quarkus.profile": "test",
      "quarkus.redis.hosts": redis.uri,
      "quarkus.http.port": String(port),
      "realtime.pod-id": name,
      ...(keys ? {
        "realtime.auth.mode": "jwt",
        "mp.jwt.verify.publickey.location": keys.publicKeyPath,
        "mp.jwt.verify.issuer": ISSUER,
      } : {}),
      ...settings,
    };
    const args = [...jvm, ...Object.entries(all).map(([k, v]) => `-D${k}=${v}`), "-jar", JAR];
    const log = logFile(`service-${name}-${port}.log`);
    const out = openSync(log, "a");
    const child = track(spawn(process.env.JAVA || "java", args, { stdio: ["ignore", out, out] }));
    const service = new Service(name, port, child, log);
    await waitFor(`${name} ready on ${port}`, async () => {
      if (child.exitCode !== null) {
        throw new Error(`${name} exited with ${child.exitCode}: ${service.logTail()}`);
      }
      return (await service.get("/q/health/ready")).status === 200;
    }, 60_000, 200);
    return service;
  }

  constructor(name, port, child, log) {
    this.name = name;
    this.port = port;
    this.child = child;
    this.log = log;
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  logTail() {
    try {
      return readFileSync(this.log, "utf8").split("\n").slice(-30).join("\n");
    } catch {
      return "";
    }
  }

  async get(path, headers = {}) {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}${path}`, { headers });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { status: 0, text: String(error) };
    }
  }

  /** POSTs a message to a user; returns {status, body}. */
  async publish(user, payload, token) {
    const response = await fetch(`http://127.0.0.1:${this.port}/api/v1/realtime/users/${encodeURIComponent(user)}/messages`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: payload,
    });
    const text = await response.text();
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  }

  /** The local connection count from /api/v1/realtime/connections. */
  async connections(token) {
    const r = await this.get("/api/v1/realtime/connections", token ? { Authorization: `Bearer ${token}` } : {});
    return r.status === 200 ? JSON.parse(r.text).connections : -1;
  }

  /** A Prometheus counter or gauge value (summed over label sets matching labelFilter). */
  async metric(name, labelFilter = "") {
    const r = await this.get("/q/metrics");
    let sum = 0;
    for (const line of r.text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        if (!labelFilter || line.includes(labelFilter)) {
          sum += Number(line.slice(line.lastIndexOf(" ") + 1));
        }
      }
    }
    return sum;
  }

  /** SIGTERM, as Kubernetes sends it: the service drains (1001 spread over realtime.shutdown.drain) and exits. */
  terminate() {
    this.child.kill("SIGTERM");
    return this.exited;
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

// ---- the balancer ----

/**
 * A TCP balancer in front of the instances: each new connection goes to the next instance whose readiness is UP
 * (polled every pollMs), so a draining instance stops getting new connections as it would behind a Service.
 * Records every connection it routes per backend (time and name), for the reconnect-storm figures.
 */
export class Balancer {
  static async start(backends, { pollMs = 100 } = {}) {
    const balancer = new Balancer(backends, pollMs);
    await balancer.listen();
    return balancer;
  }

  constructor(backends, pollMs) {
    this.backends = backends.map((service) => ({ service, ready: true }));
    this.pollMs = pollMs;
    this.next = 0;
    this.routed = [];
    this.sockets = new Set();
    this.server = net.createServer((client) => this.route(client));
    this.server.maxConnections = 100_000;
  }

  async listen() {
    this.port = await freePort();
    await new Promise((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
    this.poller = setInterval(() => this.poll(), this.pollMs);
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  add(service) {
    this.backends.push({ service, ready: true });
  }

  async poll() {
    await Promise.all(this.backends.map(async (backend) => {
      backend.ready = (await backend.service.get("/q/health/ready")).status === 200;
    }));
  }

  route(client) {
    const ready = this.backends.filter((b) => b.ready);
    if (ready.length === 0) {
      client.destroy();
      return;
    }
    const backend = ready[this.next++ % ready.length];
    this.routed.push({ at: Date.now(), to: backend.service.name });
    const upstream = net.connect(backend.service.port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  async stop() {
    clearInterval(this.poller);
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The same balancer in a child process: add(service), routed() (every routed connection), stop(). */
export class BalancerProcess {
  static async start(backends) {
    const child = track(fork(join(dirname(fileURLToPath(import.meta.url)), "balancer-process.js"), { stdio: "inherit" }));
    child.send({ backends: backends.map(({ name, port }) => ({ name, port })) });
    const [{ port }] = await once(child, "message");
    return new BalancerProcess(child, port);
  }

  constructor(child, port) {
    this.child = child;
    this.port = port;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  add({ name, port }) {
    this.child.send({ add: { name, port } });
  }

  async routed() {
    this.child.send({ routed: true });
    const [{ routed }] = await once(this.child, "message");
    return routed;
  }

  async stop() {
    if (this.child.exitCode === null) {
      this.child.send({ stop: true });
      await once(this.child, "exit");
    }
  }
}
