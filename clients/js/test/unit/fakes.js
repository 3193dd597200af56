// Test doubles: a clock whose time only moves when a test says so, and a WebSocket the test plays the server of.

export class FakeClock {
  constructor(start = 1_750_000_000_000) {
    this.time = start;
    this.queue = [];
    this.nextId = 1;
  }

  now() {
    return this.time;
  }

  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.queue.push({ id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id) {
    this.queue = this.queue.filter((t) => t.id !== id);
  }

  /** Moves time forward by ms, running every timer due on the way (and the promises they start). */
  async advance(ms) {
    const target = this.time + ms;
    await settle();
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > target) {
        break;
      }
      this.queue.shift();
      this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Delay until the earliest pending timer, or undefined. */
  nextDelay() {
    if (this.queue.length === 0) {
      return undefined;
    }
    return Math.min(...this.queue.map((t) => t.at)) - this.time;
  }
}

/** Lets pending promise chains (getToken, dynamic imports, fetch) run to completion. */
export async function settle() {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export class FakeSocket {
  static instances = [];

  constructor(url, protocols) {
    this.url = new URL(url);
    this.protocols = protocols;
    this.protocol = "";
    this.sent = [];
    this.readyState = 0;
    this.closedByClient = null;
    FakeSocket.instances.push(this);
  }

  static reset() {
    FakeSocket.instances = [];
  }

  static last() {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  send(data) {
    if (this.readyState !== 1) {
      throw new Error("not open");
    }
    this.sent.push(data);
  }

  close(code, reason) {
    this.closedByClient = { code, reason };
    this.readyState = 2;
  }

  // ---- the server's side ----

  accept(protocol = "realtime.v2") {
    this.protocol = protocol;
    this.readyState = 1;
    this.onopen && this.onopen({});
  }

  receive(frame) {
    this.onmessage && this.onmessage({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  serverClose(code, reason = "") {
    this.readyState = 3;
    this.onclose && this.onclose({ code, reason });
  }

  sentFrames() {
    return this.sent.map((s) => JSON.parse(s));
  }
}

/** A deterministic PRNG (mulberry32) so distribution checks never depend on luck. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An unsigned JWT-shaped token with the given subject and exp (seconds); the client only reads exp. */
export function fakeJwt(sub, expSeconds) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part({ sub, exp: expSeconds })}.c2ln`;
}
