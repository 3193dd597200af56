// The Balancer in a process of its own (BalancerProcess), so that thousands of proxied sockets do not compete with
// the clients under measurement for one event loop.
import { Balancer } from "./index.js";

function backend({ name, port }) {
  return {
    name,
    port,
    async get(path) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        return { status: response.status };
      } catch {
        return { status: 0 };
      }
    },
  };
}

process.once("message", async ({ backends }) => {
  const balancer = await Balancer.start(backends.map(backend));
  process.send({ port: balancer.port });
  process.on("message", async (message) => {
    if (message.add) {
      balancer.add(backend(message.add));
    } else if (message.routed) {
      process.send({ routed: balancer.routed });
    } else if (message.stop) {
      await balancer.stop();
      process.exit(0);
    }
  });
});
