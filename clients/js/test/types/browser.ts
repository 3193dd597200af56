// The browser's own WebSocket satisfies the client's WebSocket type (compiled with the DOM library).
import { RealtimeClient } from "@realtime-service/client";

const client = new RealtimeClient({
  url: `wss://${location.host}/ws`,
  getToken: () => fetch("/session/realtime-token").then((r) => r.text()),
  WebSocket: window.WebSocket,
  networkEvents: window,
  fetch: window.fetch.bind(window),
});
client.on("message", ({ data }) => document.body.append(data));
client.connect();
