package io.devarno.realtime.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

import redis.embedded.RedisServer;

/** A real redis-server process (from the embedded-redis artifact) on a free loopback port. */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private Integer masterPort;
    private RedisServer server;

    public RedisProcess() {
        this(freePort());
    }

    public RedisProcess(int port) {
        this.port = port;
    }

    /** Makes this server a replica of the one on {@code masterPort} (before {@link #start}). */
    public RedisProcess replicaOf(int masterPort) {
        this.masterPort = masterPort;
        return this;
    }

    public RedisProcess start() {
        try {
            var builder = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no");
            if (masterPort != null) {
                builder.slaveOf("127.0.0.1", masterPort);
            }
            server = builder.build();
            server.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public RedisCli cli() {
        return new RedisCli("127.0.0.1", port);
    }

    @Override
    public void close() {
        stop();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
