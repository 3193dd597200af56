package io.devarno.realtime.transport;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.RedisConnection;

/**
 * Finds the Netty channel under a Vert.x Redis connection, so that the pub/sub connection's read batching can pause
 * and resume its reads ({@code RedisConnection.pause()} would not do: Vert.x goes on reading into a queue of 16 buffers before
 * it stops reading the socket). Neither Quarkus nor Vert.x exposes the channel: it sits under Quarkus's metrics
 * wrapper, a Sentinel connection (when Sentinel is used), the pool's lease and the standalone connection's
 * socket, all private fields. They are resolved once at start-up; if a library upgrade moves them, the service
 * logs it and runs without read batching (correct, only costlier per message) instead of failing.
 */
@Singleton
@RegisterForReflection(
        classNames = {RedisChannels.OBSERVABLE, RedisChannels.SENTINEL, RedisChannels.POOLED, RedisChannels.STANDALONE},
        fields = true,
        methods = false)
public class RedisChannels {

    static final String OBSERVABLE = "io.quarkus.redis.runtime.client.ObservableRedis$ObservableRedisConnection";
    static final String SENTINEL = "io.vertx.redis.client.impl.RedisSentinelConnection";
    static final String POOLED = "io.vertx.redis.client.impl.PooledRedisConnection";
    static final String STANDALONE = "io.vertx.redis.client.impl.RedisStandaloneConnection";

    private static final Logger LOG = Logger.getLogger(RedisChannels.class);

    private final Field observableDelegate;
    private final Field sentinelConnection;
    private final Field pooledConnection;
    private final Field standaloneSocket;

    public RedisChannels() {
        Field[] fields = new Field[4];
        try {
            fields[0] = field(OBSERVABLE, "delegate");
            fields[1] = field(SENTINEL, "connection");
            fields[2] = field(POOLED, "connection");
            fields[3] = field(STANDALONE, "netSocket");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("The Redis pub/sub connection's channel cannot be reached (%s); reads are not batched", e);
            fields = new Field[4];
        }
        observableDelegate = fields[0];
        sentinelConnection = fields[1];
        pooledConnection = fields[2];
        standaloneSocket = fields[3];
    }

    private static Field field(String className, String name) throws ReflectiveOperationException {
        Field field = Class.forName(className, false, RedisConnection.class.getClassLoader())
                .getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    /** Whether channels can be found at all in this Quarkus/Vert.x version. */
    public boolean available() {
        return standaloneSocket != null;
    }

    /**
     * A switch over the channel the connection reads from now (a Sentinel connection may have switched to another
     * master), or null for kinds of connection this class does not know.
     */
    public ReadSwitch readSwitchOf(RedisConnection connection) {
        Channel channel = channelOf(connection);
        return channel == null ? null : new ChannelReadSwitch(channel);
    }

    private Channel channelOf(RedisConnection connection) {
        if (!available()) {
            return null;
        }
        try {
            Object current = connection;
            current = unwrap(current, observableDelegate);
            if (sentinelConnection.getDeclaringClass().isInstance(current)) {
                current = ((AtomicReference<?>) sentinelConnection.get(current)).get();
            }
            current = unwrap(current, pooledConnection);
            if (current != null
                    && standaloneSocket.getDeclaringClass().isInstance(current)
                    && standaloneSocket.get(current) instanceof NetSocketInternal socket) {
                return socket.channelHandlerContext().channel();
            }
            return null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Object unwrap(Object current, Field wrapped) throws IllegalAccessException {
        return wrapped.getDeclaringClass().isInstance(current) ? wrapped.get(current) : current;
    }
}
