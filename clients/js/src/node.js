// The Node entry point: the same client, with the optional peer dependency `ws` loaded when no WebSocket
// implementation is passed (ws also reports a refused upgrade's status, which Node's built-in WebSocket does not).
import { RealtimeClient as BaseClient } from "./client.js";

export { DEFAULTS, PROTOCOL_V2, TOKEN_CARRIER } from "./client.js";

let wsModule;

async function loadWs() {
  if (wsModule === undefined) {
    try {
      wsModule = (await import("ws")).default;
    } catch {
      wsModule = null;
    }
  }
  return wsModule;
}

export class RealtimeClient extends BaseClient {
  constructor(options) {
    super({ loadWebSocket: loadWs, ...options });
  }
}

export function createClient(options) {
  return new RealtimeClient(options);
}
