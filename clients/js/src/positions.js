// The last position (epoch, offset) seen on each stream, and the rules that keep what reaches the application
// free of duplicates and in order across reconnects (docs/protocol.md, protocol v2).

export const STREAMS = ["user", "broadcast"];
const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;

export class Positions {
  /** @param {{user?: {epoch: string, offset: number}, broadcast?: {epoch: string, offset: number}}} [initial] */
  constructor(initial) {
    /** @type {Record<string, {epoch: string, offset: number|null} | null>} */
    this.streams = { user: null, broadcast: null };
    /** Streams whose continuity is unknown (a new epoch whose replay may not have arrived in full). */
    this.uncertain = { user: false, broadcast: false };
    /** What the current connection asked for (since), per stream. */
    this.asked = { user: null, broadcast: null };
    for (const stream of STREAMS) {
      const position = initial && initial[stream];
      if (position) {
        this.streams[stream] = checkPosition(position, stream);
      }
    }
  }

  /** The query parameters for the next connection; remembers what was asked. */
  query() {
    const params = {};
    for (const stream of STREAMS) {
      const position = this.streams[stream];
      this.asked[stream] = position && position.offset !== null ? { ...position } : null;
      if (this.asked[stream]) {
        params[stream === "user" ? "since" : "broadcast_since"] = `${position.epoch}:${position.offset}`;
      }
    }
    return params;
  }

  /**
   * Takes the welcome frame. Returns the recovery report, or null when this connection had nothing to recover
   * (a first connection without a handed-over position).
   */
  welcome(frame) {
    const report = { complete: true };
    let recovering = false;
    for (const stream of STREAMS) {
      const info = frame[stream];
      if (!info || typeof info.epoch !== "string" || typeof info.offset !== "number") {
        continue;
      }
      const asked = this.asked[stream];
      const current = this.streams[stream];
      if (asked) {
        recovering = true;
        let recovered = info.recovered === true;
        if (info.epoch !== asked.epoch) {
          // history was lost meanwhile: the server replays what the new epoch keeps
          this.streams[stream] = { epoch: info.epoch, offset: null };
          this.uncertain[stream] = true;
          recovered = false;
        } else if (info.offset < asked.offset) {
          // the stream went back under the same epoch: positions past it would hide new messages as duplicates
          this.streams[stream] = { epoch: info.epoch, offset: info.offset };
          recovered = false;
        }
        report[stream] = { recovered, epoch: info.epoch, offset: info.offset };
        report.complete = report.complete && recovered;
      } else {
        if (current || this.uncertain[stream]) {
          // we had seen this stream but could not ask for it: what happened meanwhile is unknown
          recovering = true;
          report[stream] = { recovered: false, epoch: info.epoch, offset: info.offset };
          report.complete = false;
        }
        this.streams[stream] = { epoch: info.epoch, offset: info.offset };
        this.uncertain[stream] = false;
      }
    }
    return recovering ? report : null;
  }

  /** Whether a message is new (and then records its position). Unrecorded messages (no offset) always are. */
  accept(stream, epoch, offset) {
    if (typeof offset !== "number" || typeof epoch !== "string" || !STREAMS.includes(stream)) {
      return true;
    }
    const current = this.streams[stream];
    if (current && current.epoch === epoch && current.offset !== null && offset <= current.offset) {
      return false;
    }
    this.streams[stream] = { epoch, offset };
    this.uncertain[stream] = false;
    return true;
  }

  /** A copy of the known positions, as the application may store or hand over. */
  snapshot() {
    const result = {};
    for (const stream of STREAMS) {
      const position = this.streams[stream];
      if (position && position.offset !== null) {
        result[stream] = { epoch: position.epoch, offset: position.offset };
      }
    }
    return result;
  }
}

function checkPosition(position, stream) {
  if (!position || typeof position.epoch !== "string" || !EPOCH.test(position.epoch)
      || !Number.isSafeInteger(position.offset) || position.offset < 0) {
    throw new TypeError(`position.${stream} must be {epoch: string of A-Z a-z 0-9 _ -, offset: integer >= 0}`);
  }
  return { epoch: position.epoch, offset: position.offset };
}
