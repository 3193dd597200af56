package io.devarno.realtime.redis;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.RedisConnection;

/**
 * Node connections (the sharded subscribers' on a Redis Cluster) that come only after {@code realtime.redis.timeout}
 * must go back to the node's small pool: under load such late connections were kept by nobody, filled the pool, and
 * the pod stopped subscribing (docs/benchmarks.md, "Redis Cluster against standalone").
 */
@QuarkusTest
@WithRedis
class NodeConnectionTimeoutTest {

    @Inject
    RedisDeployment deployment;

    private volatile boolean slow = true;

    @Test
    void connectionsThatArriveAfterTheTimeoutDoNotExhaustTheNodesPool() throws Exception {
        try (ServerSocket node = new ServerSocket(0)) {
            Thread server = new Thread(() -> serve(node), "fake-node");
            server.setDaemon(true);
            server.start();
            String address = "127.0.0.1:" + node.getLocalPort();

            // More connects than the node's pool holds (4): each new one arrives late; a late one given back to the
            // pool may serve a later connect at once.
            int late = 0;
            for (int i = 0; i < 6; i++) {
                try {
                    deployment
                            .connect(address)
                            .await()
                            .atMost(Duration.ofSeconds(5))
                            .closeAndForget();
                } catch (RuntimeException e) {
                    assertTrue(e.getMessage().contains("within"), e.toString());
                    late++;
                }
            }
            assertTrue(late >= 1, "the slow node made at least one connect time out");
            Thread.sleep(2000); // every late handshake has completed by now
            slow = false;

            RedisConnection connection = deployment.connect(address).await().atMost(Duration.ofSeconds(5));
            assertNotNull(connection);
            connection.closeAndForget();
        }
    }

    /** A Redis without HELLO (the client carries on with RESP2), answering the handshake 1.5 s late while slow. */
    private void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread connection = new Thread(() -> answer(socket), "fake-node-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[4096];
            boolean first = true;
            while (in.read(buffer) >= 0) {
                if (first && slow) {
                    Thread.sleep(1500);
                }
                out.write((first ? "-ERR unknown command 'HELLO'\r\n" : "+OK\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                first = false;
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
