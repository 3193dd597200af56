// Type definitions for @realtime-service/client (hand-written; checked by `npm run typecheck`).

export type StreamName = "user" | "broadcast";

/** A position in a stream: the epoch (changes when the stream's history is lost) and the offset in it. */
export interface Position {
  epoch: string;
  offset: number;
}

export interface Positions {
  user?: Position;
  broadcast?: Position;
}

export type State = "idle" | "connecting" | "open" | "reconnecting" | "offline" | "closed";

export interface TokenRequest {
  /** true after a 4001 or a 401, and when renewing: a cached token will not do. */
  fresh: boolean;
  reason: "connect" | "expired" | "renew";
}

/** The minimal WebSocket the client needs: the browser's, or Node's `ws` (handlers are assigned by the client). */
export interface WebSocketLike {
  readonly protocol: string;
  onopen: any;
  onmessage: any;
  onclose: any;
  onerror: any;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[], options?: any): WebSocketLike;
}

export interface BackoffOptions {
  /** First ceiling of the full-jitter draw (default 500 ms); doubles per failed attempt. */
  baseMs?: number;
  /** Largest ceiling (default 30,000 ms). */
  capMs?: number;
  /** A server's Retry-After is honoured up to this (default 300,000 ms). */
  maxRetryAfterMs?: number;
}

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

export interface ClientOptions {
  /** ws:// or wss:// URL of the service's /ws. */
  url: string;
  /** Returns a JWT (jwt mode). Omit for trusted-header setups (development, or behind a gateway). */
  getToken?: (request: TokenRequest) => Promise<string> | string;
  /** trusted-header mode without getToken: sent as ?user_id=. */
  userId?: string;
  /** Positions handed over by the application's backend (history API, limit=0) with the rendered page. */
  position?: Positions;
  /** Extra query parameters for /ws. */
  params?: Record<string, string | number>;
  /** The WebSocket implementation; default: the platform's (browsers), or `ws` (Node entry). */
  WebSocket?: WebSocketConstructor;
  /** Passed to the WebSocket constructor as its third argument (Node's ws: headers, agent, ...). */
  wsOptions?: unknown;
  backoff?: BackoffOptions;
  /** After a drain's 1001 (or 1012) the reconnect is drawn uniformly in [0, drainWindowMs] (default 2,000). */
  drainWindowMs?: number;
  /** After a 4001 or a first 401 the reconnect with a fresh token is drawn in [0, tokenRetryWindowMs] (default 500). */
  tokenRetryWindowMs?: number;
  /** A connection open this long resets the backoff to its base (default 10,000 ms). */
  stableAfterMs?: number;
  /** An upgrade not open within this is abandoned and retried (default 15,000 ms). */
  connectTimeoutMs?: number;
  /** Renew the token on the open connection before exp (default true); false: reconnect after the 4001 instead. */
  renew?: boolean;
  /** The token is renewed this long before exp, or at half its remaining life if shorter (default 30,000 ms). */
  renewBeforeMs?: number;
  /** An application-level ping this often while open (default 25,000 ms; 0 turns it off). */
  pingIntervalMs?: number;
  /** No frame within this after a ping: the connection is dead, reconnect (default 10,000 ms). */
  pongTimeoutMs?: number;
  /** After a failed upgrade seen as 1006, ask the service why with one plain GET (default true). */
  diagnose?: boolean;
  diagnoseTimeoutMs?: number;
  /** fetch used by the diagnosis (default globalThis.fetch). */
  fetch?: (url: string, init?: any) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;
  /** Where online/offline events come from (default window in browsers; null turns it off). */
  networkEvents?: { addEventListener(type: string, fn: () => void): void; removeEventListener(type: string, fn: () => void): void } | null;
  /** For tests: the clock and the random source of the jitter. */
  clock?: Clock;
  random?: () => number;
}

export interface MessageEvent {
  /** The published payload, exactly as published. */
  data: string;
  /** Which stream it came on (protocol v2); absent from a v1 server. */
  stream?: StreamName;
  /** Its position, when it was published through a recording route. */
  epoch?: string;
  offset?: number;
}

export interface StateEvent {
  state: State;
  previous: State;
  /** Close code of the connection that ended, when there was one. */
  code?: number;
  reason?: string;
  /** HTTP status of a refused upgrade, when known. */
  status?: number;
  /** Reconnecting: the wait before the next attempt. */
  delayMs?: number;
  attempt?: number;
  network?: "online" | "offline";
  error?: string;
}

export interface StreamRecovery {
  recovered: boolean;
  epoch: string;
  offset: number;
}

export interface RecoveredEvent {
  /** true when every stream the client asked for was recovered without a gap; false: reload your state. */
  complete: boolean;
  user?: StreamRecovery;
  broadcast?: StreamRecovery;
}

export type ErrorCode =
  | "policy" | "unauthorized" | "forbidden" | "origin_refused" | "bad_request" | "token_provider" | "no_websocket" | "bad_url"
  | "slow_consumer" | "too_many_connections" | "unavailable" | "upgrade_refused" | "protocol" | "renewal_refused"
  | "server_error_frame";

export interface ErrorEvent {
  code: ErrorCode;
  message: string;
  /** true: the client stopped (state "closed"); connect() starts it again. */
  fatal: boolean;
  closeCode?: number;
  status?: number;
  retryAfterMs?: number;
}

export interface RenewedEvent {
  /** The new expiry in epoch milliseconds. */
  expiresAt: number;
}

export interface EventMap {
  message: MessageEvent;
  state: StateEvent;
  recovered: RecoveredEvent;
  error: ErrorEvent;
  renewed: RenewedEvent;
}

export declare const DEFAULTS: Readonly<Required<Omit<ClientOptions,
  "url" | "getToken" | "userId" | "position" | "params" | "WebSocket" | "wsOptions" | "diagnose" | "fetch" | "networkEvents" | "clock" | "random">>>;
export declare const PROTOCOL_V2: "realtime.v2";
export declare const TOKEN_CARRIER: "bearer-token-carrier";

export declare class RealtimeClient {
  constructor(options: ClientOptions);
  readonly state: State;
  /** The last position seen on each stream. */
  readonly positions: Positions;
  /** The connection id from the welcome (protocol v2), or null. */
  readonly connectionId: string | null;
  connect(): this;
  close(): void;
  /** Sends {"type":"ping"}; resolves with the round trip in ms when the pong arrives; rejects when not open. */
  ping(): Promise<number>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): () => void;
  off<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): void;
}

export declare function createClient(options: ClientOptions): RealtimeClient;
