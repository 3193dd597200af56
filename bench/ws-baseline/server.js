'use strict';

// Bare `ws` + `ioredis` pub/sub fan-out server: the comparison baseline for realtime-service benchmarks.
// It implements only what the load generator (bench/src/main/java/io/devarno/realtime/bench) exercises; see README.md.

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const Redis = require('ioredis');

const PORT = Number(process.env.PORT || 8087);
const HOST = process.env.HOST || '127.0.0.1';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PREFIX = process.env.CHANNEL_PREFIX || 'realtime:'; // realtime.pubsub.prefix / --channel-prefix
const USER_PREFIX = PREFIX + 'user:';
const BROADCAST = PREFIX + 'broadcast';
const PING_INTERVAL_MS = Number(process.env.PING_INTERVAL_MS || 25000);
const MAX_MESSAGE = 512 * 1024; // realtime.max-message-size
// 0: no presence. Else, like the service's minimum: SET presence:<user> <now ms> PX ttl when a user's first socket
// opens (and on pongs, at most once a second per socket), DEL when the last one closes. For connect-storm comparisons.
const PRESENCE_TTL_MS = Number(process.env.PRESENCE_TTL_MS || 0);
const PRESENCE_PREFIX = process.env.PRESENCE_PREFIX || 'presence:';

const TEXT = { binary: false };
const PONG = '{"type":"pong"}';
const OPEN = WebSocket.OPEN;

/** userId -> Set of sockets; a user is subscribed in Redis exactly while it has an entry. */
const users = new Map();
let connections = 0;
let opened = 0;
let delivered = 0;

// ------------------------------------------------------------------ Redis: one dedicated subscriber connection

const sub = new Redis(REDIS_URL, { connectionName: 'ws-baseline-sub', autoResubscribe: true });
let lastRedisError = '';
sub.on('ready', () => console.log(`redis subscriber ready (${REDIS_URL})`));
sub.on('error', (e) => {
  if (e.message !== lastRedisError) {
    lastRedisError = e.message;
    console.error(`redis: ${e.message}`);
  }
});
const logSubError = (e) => console.error(`redis (un)subscribe: ${e.message}`);
const cmd = PRESENCE_TTL_MS > 0 ? new Redis(REDIS_URL, { connectionName: 'ws-baseline-cmd' }) : null;
const logPresenceError = (e) => console.error(`redis presence: ${e.message}`);
if (cmd !== null) cmd.on('error', () => {});

function touchPresence(userId) {
  cmd.set(PRESENCE_PREFIX + userId, Date.now(), 'PX', PRESENCE_TTL_MS).catch(logPresenceError);
}
sub.subscribe(BROADCAST).catch(logSubError);

// Buffers, not strings: the payload is forwarded as is (no UTF-8 decode + re-encode per socket).
sub.on('messageBuffer', (channelBuf, payload) => {
  const channel = channelBuf.toString();
  if (channel === BROADCAST) {
    for (const set of users.values()) {
      for (const ws of set) send(ws, payload);
    }
  } else if (channel.startsWith(USER_PREFIX)) {
    const set = users.get(channel.slice(USER_PREFIX.length));
    if (set !== undefined) {
      for (const ws of set) send(ws, payload);
    }
  }
});

function send(ws, payload) {
  if (ws.readyState === OPEN) {
    ws.send(payload, TEXT); // a text frame holding exactly the published bytes
    delivered++;
  }
}

// ------------------------------------------------------------------ WebSocket connections

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: MAX_MESSAGE });

function onOpen(ws, userId) {
  ws.userId = userId;
  ws.isAlive = true;
  let set = users.get(userId);
  if (set === undefined) {
    set = new Set();
    users.set(userId, set);
    sub.subscribe(USER_PREFIX + userId).catch(logSubError); // first socket of this user
  }
  if (cmd !== null) {
    ws.touchedAt = Date.now();
    touchPresence(userId);
  }
  set.add(ws);
  connections++;
  opened++;
  ws.on('pong', onPong);
  ws.on('message', onClientMessage);
  ws.on('error', onSocketError);
  ws.on('close', onClose);
}

function onPong() {
  this.isAlive = true;
  if (cmd !== null && Date.now() - this.touchedAt >= 1000) {
    this.touchedAt = Date.now();
    touchPresence(this.userId);
  }
}

function onClientMessage(data, isBinary) {
  this.isAlive = true;
  if (isBinary || data.length > 256) return;
  let msg;
  try {
    msg = JSON.parse(data.toString());
  } catch {
    return;
  }
  if (msg !== null && msg.type === 'ping' && this.readyState === OPEN) this.send(PONG);
}

function onSocketError() {
  // 'close' follows
}

function onClose() {
  connections--;
  const set = users.get(this.userId);
  if (set === undefined || !set.delete(this)) return;
  if (set.size === 0) {
    users.delete(this.userId);
    sub.unsubscribe(USER_PREFIX + this.userId).catch(logSubError); // last socket of this user
    if (cmd !== null) cmd.del(PRESENCE_PREFIX + this.userId).catch(logPresenceError);
  }
}

// Heartbeat: ping every socket; one that has not answered since the previous ping is terminated.
const heartbeat = setInterval(() => {
  for (const set of users.values()) {
    for (const ws of set) {
      if (!ws.isAlive) {
        ws.terminate();
      } else if (ws.readyState === OPEN) {
        ws.isAlive = false;
        ws.ping();
      }
    }
  }
}, PING_INTERVAL_MS);

// ------------------------------------------------------------------ HTTP: /ws upgrade, metrics, health

function userIdOf(req, url) {
  const header = req.headers['x-user-id'];
  const id = typeof header === 'string' && header.trim() !== '' ? header.trim() : url.searchParams.get('user_id');
  return id === null || id.trim() === '' ? null : id.trim();
}

function metrics() {
  const cpu = process.cpuUsage();
  return (
    '# HELP realtime_connections Open WebSocket connections\n' +
    '# TYPE realtime_connections gauge\n' +
    `realtime_connections ${connections}\n` +
    '# HELP realtime_users Distinct users connected (= subscribed user channels)\n' +
    '# TYPE realtime_users gauge\n' +
    `realtime_users ${users.size}\n` +
    '# HELP realtime_connections_opened_total WebSocket connections opened\n' +
    '# TYPE realtime_connections_opened_total counter\n' +
    `realtime_connections_opened_total ${opened}\n` +
    '# HELP realtime_messages_delivered_total Frames written to connections\n' +
    '# TYPE realtime_messages_delivered_total counter\n' +
    `realtime_messages_delivered_total ${delivered}\n` +
    '# HELP process_cpu_seconds_total User and system CPU time of this process\n' +
    '# TYPE process_cpu_seconds_total counter\n' +
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}\n` +
    '# HELP process_resident_memory_bytes Resident set size\n' +
    '# TYPE process_resident_memory_bytes gauge\n' +
    `process_resident_memory_bytes ${process.memoryUsage.rss()}\n`
  );
}

/** [status, content type, body] for a plain GET; shared by the request handler and the non-WebSocket upgrade path. */
function route(method, pathname) {
  if (method !== 'GET' && method !== 'HEAD') return [405, 'application/json', '{"error":"method_not_allowed"}'];
  switch (pathname) {
    case '/q/metrics':
      return [200, 'text/plain; version=0.0.4; charset=utf-8', metrics()];
    case '/q/health/ready':
    case '/q/health':
      return sub.status === 'ready'
        ? [200, 'application/json', '{"status":"UP"}']
        : [503, 'application/json', '{"status":"DOWN"}'];
    case '/q/health/live':
      return [200, 'application/json', '{"status":"UP"}'];
    case '/ws':
      return [400, 'application/json', '{"error":"bad_request","message":"WebSocket upgrade required"}'];
    default:
      return [404, 'application/json', '{"error":"not_found"}'];
  }
}

function parseUrl(req) {
  return new URL(req.url, 'http://localhost');
}

const server = http.createServer((req, res) => {
  const [status, type, body] = route(req.method, parseUrl(req).pathname);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
});

function rawResponse(socket, status, type, body) {
  socket.on('error', onSocketError);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${type}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

server.on('upgrade', (req, socket, head) => {
  const url = parseUrl(req);
  const upgrade = String(req.headers.upgrade || '').toLowerCase();
  if (upgrade !== 'websocket') {
    // Not a WebSocket: e.g. java.net.http.HttpClient (the generator's /q/metrics scrape) sends
    // "Upgrade: h2c" on plain http. Node hands such requests to this listener; answer them as HTTP/1.1.
    const [status, type, body] = route(req.method, url.pathname);
    rawResponse(socket, status, type, req.method === 'HEAD' ? '' : body);
    return;
  }
  if (url.pathname !== '/ws') {
    rawResponse(socket, 404, 'application/json', '{"error":"not_found"}');
    return;
  }
  const userId = userIdOf(req, url);
  if (userId === null) {
    rawResponse(socket, 401, 'application/json', '{"error":"unauthorized","message":"no user id (X-User-ID or user_id)"}');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, userId));
});

server.listen({ port: PORT, host: HOST, backlog: 4096 }, () => {
  console.log(`ws-baseline listening on http://${HOST}:${PORT} (ws path /ws), pid ${process.pid}, redis ${REDIS_URL}`);
});

function shutdown(signal) {
  console.log(`${signal}: closing ${connections} connections`);
  clearInterval(heartbeat);
  server.close();
  for (const set of users.values()) {
    for (const ws of set) ws.close(1001, 'server shutting down');
  }
  sub.disconnect();
  if (cmd !== null) cmd.disconnect();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
