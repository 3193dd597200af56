// The realtime-service client: one logical connection that reconnects on its own, renews its token and recovers
// what it missed. Runs unchanged in browsers and in Node (given a WebSocket implementation such as `ws`).
import { fullJitter, parseRetryAfter, pushedBack, spread } from "./backoff.js";
import { decide } from "./decisions.js";
import { Emitter } from "./emitter.js";
import { Positions } from "./positions.js";
import { expiryOf, renewalDelay } from "./token.js";

export const PROTOCOL_V2 = "realtime.v2";
export const TOKEN_CARRIER = "bearer-token-carrier";

export const DEFAULTS = Object.freeze({
  backoff: Object.freeze({ baseMs: 500, capMs: 30_000, maxRetryAfterMs: 300_000 }),
  drainWindowMs: 2_000,
  tokenRetryWindowMs: 500,
  stableAfterMs: 10_000,
  connectTimeoutMs: 15_000,
  renewBeforeMs: 30_000,
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  diagnoseTimeoutMs: 5_000,
});

const SYSTEM_CLOCK = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  now: () => Date.now(),
};

/**
 * States: "idle" (never connected), "connecting", "open", "reconnecting" (waiting for the next attempt),
 * "offline" (the browser says there is no network), "closed" (close() or a failure retrying cannot fix).
 */
export class RealtimeClient extends Emitter {
  constructor(options) {
    super();
    if (!options || typeof options.url !== "string") {
      throw new TypeError("options.url is required (ws:// or wss:// URL of the service's /ws)");
    }
    if (options.getToken !== undefined && typeof options.getToken !== "function") {
      throw new TypeError("options.getToken must be an async function returning a JWT");
    }
    this.options = {
      ...DEFAULTS,
      ...options,
      backoff: { ...DEFAULTS.backoff, ...(options.backoff || {}) },
    };
    this.clock = options.clock || SYSTEM_CLOCK;
    this.random = options.random || Math.random;
    this.positionsTracker = new Positions(options.position);
    this.currentState = "idle";
    this.attempt = 0;
    this.socket = null;
    this.timers = new Set();
    this.retryTimer = null;
    this.stopped = true;
    this.generation = 0;
    this.lastRefusal401 = false;
    this.needFreshToken = false;
    this.network = null;
    this.welcomeConnection = null;
    this.connection = null;
  }

  /** The current state (see the class comment). */
  get state() {
    return this.currentState;
  }

  /** The last positions seen per stream: what a reconnect asks for, and what the application may store. */
  get positions() {
    return this.positionsTracker.snapshot();
  }

  /** The connection id from the server's welcome (protocol v2), or null. */
  get connectionId() {
    return this.welcomeConnection;
  }

  /** Starts connecting (again, after close() or a fatal error). Returns this. */
  connect() {
    if (!this.stopped) {
      return this;
    }
    this.stopped = false;
    this.attempt = 0;
    this.lastRefusal401 = false;
    this.watchNetwork();
    if (this.isOffline()) {
      this.setState("offline");
    } else {
      this.open();
    }
    return this;
  }

  /**
   * Sends an application ping ({"type":"ping"}); resolves with the round trip in milliseconds when the pong
   * arrives, rejects when the connection is not open or ends first.
   */
  ping() {
    const connection = this.connection;
    if (!connection || connection.socket !== this.socket || !connection.opened) {
      return Promise.reject(new Error("not connected"));
    }
    const sentAt = this.clock.now();
    return new Promise((resolve, reject) => {
      connection.pongWaiters.push({ sentAt, resolve, reject });
      try {
        connection.socket.send('{"type":"ping"}');
      } catch (cause) {
        reject(cause);
      }
    });
  }

  /** Closes the connection for good (code 1000); no reconnect until connect() is called again. */
  close() {
    this.stopped = true;
    this.generation++;
    this.clearTimers();
    this.unwatchNetwork();
    const socket = this.socket;
    this.socket = null;
    rejectPings(this.connection);
    if (socket) {
      detach(socket);
      try {
        socket.close(1000, "closed by the client");
      } catch {
        // already closed
      }
    }
    this.setState("closed");
  }

  // ---- connecting ----

  async open() {
    const generation = ++this.generation;
    this.clearTimers();
    this.setState("connecting");
    const usesToken = typeof this.options.getToken === "function";
    let token = null;
    if (usesToken) {
      const fresh = this.needFreshToken;
      try {
        token = await this.options.getToken({ fresh, reason: fresh ? "expired" : "connect" });
      } catch (cause) {
        if (generation !== this.generation) {
          return;
        }
        this.emit("error", { code: "token_provider", message: `getToken() failed: ${describe(cause)}`, fatal: false, cause });
        this.scheduleReconnect(fullJitter(this.attempt++, this.options.backoff, this.random), {});
        return;
      }
      if (generation !== this.generation) {
        return;
      }
      if (typeof token !== "string" || token.length === 0) {
        this.fail({ code: "token_provider", message: "getToken() returned no token", fatal: true });
        return;
      }
    }
    this.needFreshToken = false;
    const url = this.socketUrl();
    // The carrier's name is offered even without a token: a v1 server (before protocol v2, or during a rolling
    // upgrade) agrees to it, where a browser would fail a handshake that offered only a protocol the server lacks.
    const protocols = usesToken
      ? [PROTOCOL_V2, TOKEN_CARRIER, encodeURIComponent("quarkus-http-upgrade#Authorization#Bearer " + token)]
      : [PROTOCOL_V2, TOKEN_CARRIER];
    let Impl;
    try {
      Impl = await this.webSocketImpl();
    } catch (cause) {
      this.fail({ code: "no_websocket", message: describe(cause), fatal: true });
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    let socket;
    try {
      socket = this.options.wsOptions ? new Impl(url, protocols, this.options.wsOptions) : new Impl(url, protocols);
    } catch (cause) {
      this.fail({ code: "bad_url", message: `cannot open a WebSocket to ${url}: ${describe(cause)}`, fatal: true });
      return;
    }
    this.socket = socket;
    const connection = {
      socket, token, usesToken, url, opened: false, v2: false, frames: 0, refusal: null,
      tokenExpiry: usesToken ? expiryOf(token) : undefined, authPending: false, lastFrameAt: 0, pongWaiters: [],
    };
    this.connection = connection;
    if (typeof socket.on === "function") {
      // Node's ws: a refused upgrade's status and headers are visible (browsers only ever report 1006)
      socket.on("unexpected-response", (request, response) => {
        readRefusal(response, this.clock.now()).then((refusal) => {
          connection.refusal = refusal;
          request.destroy();
          this.abandon(connection, 1006, `upgrade refused with ${refusal.status}`);
        });
      });
    }
    const connectTimer = this.timer(() => {
      connection.timedOut = true;
      this.abandon(connection, 1006, "connect timeout");
    }, this.options.connectTimeoutMs);
    socket.onopen = () => {
      this.clock.clearTimeout(connectTimer);
      this.timers.delete(connectTimer);
      this.onOpen(connection);
    };
    socket.onmessage = (event) => this.onFrame(connection, event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => this.onClose(connection, event.code, event.reason || "");
  }

  socketUrl() {
    const url = new URL(this.options.url);
    for (const [key, value] of Object.entries(this.options.params || {})) {
      url.searchParams.set(key, String(value));
    }
    if (typeof this.options.getToken !== "function" && this.options.userId) {
      url.searchParams.set("user_id", this.options.userId);
    }
    for (const [key, value] of Object.entries(this.positionsTracker.query())) {
      url.searchParams.set(key, value);
    }
    return url.toString();
  }

  /** options.WebSocket, else (the Node entry) the optional `ws` package, else the platform's WebSocket. */
  async webSocketImpl() {
    if (this.options.WebSocket) {
      return this.options.WebSocket;
    }
    if (typeof this.options.loadWebSocket === "function") {
      const loaded = await this.options.loadWebSocket();
      if (loaded) {
        return loaded;
      }
    }
    if (typeof globalThis.WebSocket === "function") {
      return globalThis.WebSocket;
    }
    throw new Error("no WebSocket implementation: pass options.WebSocket (in Node: import WebSocket from 'ws')");
  }

  onOpen(connection) {
    if (connection.socket !== this.socket) {
      return;
    }
    connection.opened = true;
    connection.lastFrameAt = this.clock.now();
    connection.v2 = connection.socket.protocol === PROTOCOL_V2;
    this.lastRefusal401 = false;
    this.setState("open");
    // the backoff starts again from the bottom only once a connection has proven itself
    this.timer(() => { this.attempt = 0; }, this.options.stableAfterMs);
    this.scheduleRenewal(connection);
    if (this.options.pingIntervalMs > 0) {
      this.schedulePing(connection);
    }
  }

  // ---- frames ----

  onFrame(connection, data) {
    if (connection.socket !== this.socket || typeof data !== "string") {
      return;
    }
    connection.lastFrameAt = this.clock.now();
    const first = connection.frames++ === 0;
    let frame = null;
    if (data.length > 0 && data.charCodeAt(0) === 123 /* { */) {
      try {
        frame = JSON.parse(data);
      } catch {
        frame = null;
      }
    }
    const type = frame && typeof frame === "object" ? frame.type : undefined;
    if (first && !connection.v2 && type === "welcome" && typeof frame.connection === "string") {
      connection.v2 = true;
    }
    if (connection.v2) {
      this.onV2Frame(connection, frame, type);
    } else {
      this.onV1Frame(connection, data, frame, type);
    }
  }

  onV2Frame(connection, frame, type) {
    switch (type) {
      case "message": {
        const { stream, epoch, offset } = frame;
        if (this.positionsTracker.accept(stream, epoch, offset)) {
          const message = { data: frame.data, stream };
          if (typeof offset === "number") {
            message.epoch = epoch;
            message.offset = offset;
          }
          this.emit("message", message);
        }
        return;
      }
      case "welcome": {
        this.welcomeConnection = frame.connection;
        const report = this.positionsTracker.welcome(frame);
        if (report) {
          this.emit("recovered", report);
        }
        return;
      }
      case "auth":
        this.onAuthReply(connection, frame);
        return;
      case "error":
        if (connection.authPending) {
          this.onAuthReply(connection, frame);
        } else {
          this.emit("error", { code: "server_error_frame", message: frame.message || JSON.stringify(frame), fatal: false, frame });
        }
        return;
      case "pong":
        this.onPong(connection);
        return;
      default:
        return; // anything newer than this client
    }
  }

  /** Protocol v1 (a server that did not select realtime.v2): frames are the published payloads verbatim. */
  onV1Frame(connection, data, frame, type) {
    if (type === "pong" && Object.keys(frame).length === 1) {
      this.onPong(connection);
      return;
    }
    if (connection.authPending && (type === "auth" || type === "error")) {
      this.onAuthReply(connection, frame);
      return;
    }
    this.emit("message", { data });
  }

  onPong(connection) {
    const now = this.clock.now();
    for (const waiter of connection.pongWaiters.splice(0)) {
      waiter.resolve(now - waiter.sentAt);
    }
  }

  // ---- token renewal ----

  scheduleRenewal(connection) {
    if (!connection.usesToken || connection.tokenExpiry === undefined || this.options.renew === false) {
      return;
    }
    const delay = renewalDelay(connection.tokenExpiry, this.clock.now(), this.options.renewBeforeMs);
    this.timer(() => this.renew(connection), delay);
  }

  async renew(connection) {
    if (connection.socket !== this.socket) {
      return;
    }
    let token;
    try {
      token = await this.options.getToken({ fresh: true, reason: "renew" });
    } catch (cause) {
      token = null;
      this.emit("error", { code: "token_provider", message: `getToken() failed while renewing: ${describe(cause)}`, fatal: false, cause });
    }
    if (connection.socket !== this.socket) {
      return;
    }
    const expiry = expiryOf(token);
    if (typeof token !== "string" || expiry === undefined || expiry <= connection.tokenExpiry) {
      // no fresher token yet: ask again later; if exp passes first, the server closes with 4001 and we reconnect
      const remaining = connection.tokenExpiry - this.clock.now();
      if (remaining > 0) {
        this.timer(() => this.renew(connection), Math.max(250, Math.min(5_000, remaining / 2)));
      }
      return;
    }
    connection.authPending = { token, expiry };
    connection.socket.send(JSON.stringify({ type: "auth", token }));
  }

  onAuthReply(connection, frame) {
    const pending = connection.authPending;
    connection.authPending = false;
    if (frame.type === "auth" && frame.ok === true) {
      connection.token = pending ? pending.token : connection.token;
      connection.tokenExpiry = typeof frame.exp === "number" ? frame.exp * 1000 : pending && pending.expiry;
      this.emit("renewed", { expiresAt: connection.tokenExpiry });
      this.scheduleRenewal(connection);
      return;
    }
    this.emit("error", {
      code: "renewal_refused",
      message: `the service refused the renewed token: ${frame.message || frame.code || JSON.stringify(frame)}`,
      fatal: false,
      frame,
    });
  }

  // ---- liveness ----

  schedulePing(connection) {
    this.timer(() => {
      if (connection.socket !== this.socket) {
        return;
      }
      const sentAt = this.clock.now();
      try {
        connection.socket.send('{"type":"ping"}');
      } catch {
        return; // the close event follows
      }
      this.timer(() => {
        if (connection.socket === this.socket && connection.lastFrameAt < sentAt) {
          this.abandon(connection, 1006, "no answer to a ping");
        }
      }, this.options.pongTimeoutMs);
      this.schedulePing(connection);
    }, this.options.pingIntervalMs);
  }

  /** Gives up on a connection that is dead or refused without waiting for the platform's close event. */
  abandon(connection, code, reason) {
    if (connection.socket !== this.socket) {
      return;
    }
    detach(connection.socket);
    try {
      if (typeof connection.socket.terminate === "function") {
        connection.socket.terminate();
      } else {
        connection.socket.close(1000, reason);
      }
    } catch {
      // nothing left to close
    }
    this.onClose(connection, code, reason);
  }

  // ---- closing and deciding what next ----

  async onClose(connection, code, reason) {
    if (connection.socket !== this.socket) {
      return;
    }
    detach(connection.socket);
    rejectPings(connection);
    this.socket = null;
    const generation = ++this.generation;
    this.clearTimers();
    let refusal = connection.refusal;
    if (!connection.opened && code === 1006 && !refusal && !connection.timedOut && this.options.diagnose !== false) {
      refusal = await this.diagnose(connection);
      if (generation !== this.generation || this.stopped) {
        return;
      }
    }
    const decision = decide({
      code,
      reason,
      status: refusal ? refusal.status : undefined,
      error: refusal ? refusal.error : undefined,
      usesToken: connection.usesToken,
      freshTokenFailed: this.lastRefusal401,
      timedOut: connection.timedOut === true,
    });
    const details = { closeCode: code };
    if (refusal) {
      details.status = refusal.status;
      if (refusal.retryAfterMs !== undefined) {
        details.retryAfterMs = refusal.retryAfterMs;
      }
    }
    this.lastRefusal401 = Boolean(refusal && refusal.status === 401);
    if (decision.action === "stop") {
      this.fail({ ...decision.error, ...details });
      return;
    }
    if (decision.error) {
      this.emit("error", { ...decision.error, ...details });
    }
    if (decision.freshToken) {
      this.needFreshToken = true;
    }
    let delay;
    switch (decision.delay) {
      case "spread":
        delay = spread(decision.freshToken ? this.options.tokenRetryWindowMs : this.options.drainWindowMs, this.random);
        break;
      case "pushback":
        delay = pushedBack(this.attempt++, this.options.backoff, refusal ? refusal.retryAfterMs : undefined, this.random);
        break;
      default:
        delay = fullJitter(this.attempt++, this.options.backoff, this.random);
    }
    this.scheduleReconnect(delay, { code, reason, ...(refusal ? { status: refusal.status } : {}) });
  }

  /**
   * A browser reports a refused upgrade as 1006 without its status. One plain HTTP GET to the same URL (same token,
   * no upgrade) gets the service's answer: 401/403/400/429/503 with its JSON error and Retry-After. Only a JSON
   * error body counts, so an unrelated answer (a proxy, a healthy service refusing a non-upgrade) means "unknown".
   */
  async diagnose(connection) {
    const fetchImpl = this.options.fetch || globalThis.fetch;
    if (typeof fetchImpl !== "function") {
      return null;
    }
    const url = new URL(connection.url);
    url.protocol = url.protocol === "wss:" ? "https:" : "http:";
    const headers = connection.usesToken ? { Authorization: "Bearer " + connection.token } : {};
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timeout = this.clock.setTimeout(() => controller && controller.abort(), this.options.diagnoseTimeoutMs);
    try {
      const response = await fetchImpl(url.toString(), {
        method: "GET", headers, cache: "no-store", credentials: "omit", signal: controller ? controller.signal : undefined,
      });
      if (![400, 401, 403, 429, 503].includes(response.status)) {
        return null;
      }
      let body = null;
      try {
        body = JSON.parse(await response.text());
      } catch {
        body = null;
      }
      if (!body || typeof body.error !== "string") {
        return null;
      }
      if (response.status === 400 && body.error !== "invalid_user_id") {
        return null; // a 400 about the request itself (this GET is no upgrade) says nothing about the upgrade
      }
      return {
        status: response.status,
        error: body.error,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), this.clock.now()),
        diagnosed: true,
      };
    } catch {
      return null; // unreachable, or a cross-origin answer the page may not read: unknown
    } finally {
      this.clock.clearTimeout(timeout);
    }
  }

  scheduleReconnect(delayMs, cause) {
    if (this.stopped) {
      return;
    }
    if (this.isOffline()) {
      this.setState("offline", cause);
      return;
    }
    this.setState("reconnecting", { ...cause, delayMs, attempt: this.attempt });
    this.retryTimer = this.timer(() => {
      this.retryTimer = null;
      this.open();
    }, delayMs);
  }

  fail(error) {
    this.stopped = true;
    this.generation++;
    this.clearTimers();
    this.unwatchNetwork();
    if (this.socket) {
      detach(this.socket);
      try {
        this.socket.close(1000, "client gave up");
      } catch {
        // already closed
      }
      this.socket = null;
    }
    this.emit("error", error);
    this.setState("closed", { code: error.closeCode, error: error.code });
  }

  // ---- network changes (browsers) ----

  isOffline() {
    return typeof navigator !== "undefined" && navigator && navigator.onLine === false;
  }

  watchNetwork() {
    const target = this.options.networkEvents !== undefined ? this.options.networkEvents
      : (typeof window !== "undefined" && typeof window.addEventListener === "function" ? window : null);
    if (!target || this.network) {
      return;
    }
    const online = () => {
      if (this.stopped || (this.currentState !== "offline" && this.currentState !== "reconnecting")) {
        return;
      }
      if (this.retryTimer !== null) {
        this.clock.clearTimeout(this.retryTimer);
        this.timers.delete(this.retryTimer);
        this.retryTimer = null;
      }
      // the whole office comes back at once: a short spread, not the accumulated backoff
      this.scheduleReconnect(spread(this.options.backoff.baseMs, this.random), { network: "online" });
    };
    const offline = () => {
      if (this.stopped || this.currentState !== "reconnecting") {
        return;
      }
      if (this.retryTimer !== null) {
        this.clock.clearTimeout(this.retryTimer);
        this.timers.delete(this.retryTimer);
        this.retryTimer = null;
      }
      this.setState("offline", { network: "offline" });
    };
    target.addEventListener("online", online);
    target.addEventListener("offline", offline);
    this.network = { target, online, offline };
  }

  unwatchNetwork() {
    if (this.network) {
      this.network.target.removeEventListener("online", this.network.online);
      this.network.target.removeEventListener("offline", this.network.offline);
      this.network = null;
    }
  }

  // ---- helpers ----

  setState(state, details = {}) {
    const previous = this.currentState;
    if (previous === state && state !== "reconnecting") {
      return;
    }
    this.currentState = state;
    this.emit("state", { state, previous, ...details });
  }

  timer(fn, ms) {
    const id = this.clock.setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
    return id;
  }

  clearTimers() {
    for (const id of this.timers) {
      this.clock.clearTimeout(id);
    }
    this.timers.clear();
    this.retryTimer = null;
  }
}

function rejectPings(connection) {
  if (connection) {
    for (const waiter of connection.pongWaiters.splice(0)) {
      waiter.reject(new Error("the connection ended"));
    }
  }
}

function detach(socket) {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = () => {};
}

/** Status, Retry-After and the JSON body's "error" of a refused upgrade (Node's ws); the body is small, read in full. */
function readRefusal(response, now) {
  const refusal = {
    status: response.statusCode,
    retryAfterMs: parseRetryAfter(response.headers["retry-after"], now),
    error: undefined,
  };
  return new Promise((resolve) => {
    let body = "";
    const done = () => {
      try {
        const parsed = JSON.parse(body);
        refusal.error = parsed && typeof parsed.error === "string" ? parsed.error : undefined;
      } catch {
        // not JSON: the status alone
      }
      resolve(refusal);
    };
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      if (body.length < 4096) {
        body += chunk;
      }
    });
    response.on("end", done);
    response.on("error", done);
    response.on("close", done);
  });
}

function describe(cause) {
  return cause && cause.message ? cause.message : String(cause);
}
