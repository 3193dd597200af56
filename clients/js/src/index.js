// The browser (and default) entry point: no dependency; uses the platform's WebSocket unless options.WebSocket is given.
import { RealtimeClient } from "./client.js";

export { RealtimeClient };
export { DEFAULTS, PROTOCOL_V2, TOKEN_CARRIER } from "./client.js";

export function createClient(options) {
  return new RealtimeClient(options);
}
