package io.devarno.realtime.cluster;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;

/**
 * The (UN)SUBSCRIBE commands of the pod's pub/sub connection, gathered until the end of the event-loop turn and
 * written as few commands naming many channels: in a reconnect storm thousands of users open their first tab (or
 * close their last) within a few turns, and one command per user cost the pod a write and a flush each. Commands
 * keep their order: only consecutive ones of the same kind and connection are merged.
 */
final class PubSubCommands {

    private static final Logger LOG = Logger.getLogger(PubSubCommands.class);

    private record Pending(RedisConnection connection, Command command, String channel) {}

    private final Vertx vertx;
    private final int channelsPerCommand;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    PubSubCommands(Vertx vertx, int channelsPerCommand) {
        this.vertx = vertx;
        this.channelsPerCommand = channelsPerCommand;
    }

    void send(RedisConnection connection, Command command, Iterable<String> channels) {
        for (String channel : channels) {
            queue.add(new Pending(connection, command, channel));
        }
        if (flushScheduled.compareAndSet(false, true)) {
            Context current = io.vertx.core.Vertx.currentContext();
            if (current != null) {
                current.runOnContext(ignored -> flush());
            } else {
                vertx.runOnContext(this::flush);
            }
        }
    }

    private void flush() {
        flushScheduled.set(false);
        Pending first = null;
        Request request = null;
        int channels = 0;
        for (Pending next = queue.poll(); next != null; next = queue.poll()) {
            if (first == null
                    || next.connection() != first.connection()
                    || next.command() != first.command()
                    || channels == channelsPerCommand) {
                write(first, request);
                first = next;
                request = Request.cmd(next.command());
                channels = 0;
            }
            request.arg(next.channel());
            channels++;
        }
        write(first, request);
    }

    private static void write(Pending first, Request request) {
        if (first != null) {
            first.connection()
                    .send(request)
                    .subscribe()
                    .with(ignored -> {}, failure -> LOG.debugf("%s failed: %s", first.command(), failure.getMessage()));
        }
    }
}
