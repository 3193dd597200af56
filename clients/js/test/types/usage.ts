// Compiled by `npm run typecheck` (tsc --noEmit): the definitions describe how the library is meant to be used.
import WebSocket from "ws";
import { createClient, RealtimeClient, type Positions, type RecoveredEvent } from "@realtime-service/client";

const handedOver: Positions = { user: { epoch: "e1", offset: 41 } };

const client = new RealtimeClient({
  url: "wss://realtime.example.com/ws",
  getToken: async ({ fresh }) => (fresh ? "new.jwt.token" : "cached.jwt.token"),
  position: handedOver,
  backoff: { baseMs: 250, capMs: 20_000 },
  WebSocket,
});

const stop: () => void = client.on("message", (m) => {
  const text: string = m.data;
  const offset: number | undefined = m.offset;
  console.log(text, offset, m.stream === "broadcast");
});
client.on("recovered", (r: RecoveredEvent) => {
  if (!r.complete) {
    console.log("reload", r.user?.offset);
  }
});
client.on("error", (e) => {
  if (e.fatal && e.code === "unauthorized") {
    console.log(e.message, e.status);
  }
});
client.on("state", ({ state, delayMs }) => console.log(state, delayMs));
client.connect().close();
client.ping().then((ms: number) => console.log(ms));
stop();

const dev = createClient({ url: "ws://localhost:8085/ws", userId: "alice" });
const saved: Positions = dev.positions;
console.log(saved.user?.epoch, dev.state, dev.connectionId);

// @ts-expect-error an unknown event name is a compile error
client.on("mesage", () => {});
// @ts-expect-error url is required
new RealtimeClient({ getToken: async () => "t" });
