package io.devarno.realtime.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Records, from the moment it is opened, what happens to one user's presence: the events on the presence channel
 * ({@code online:true} / {@code online:false}) and what Redis does to the presence key (keyspace notifications such
 * as {@code del} or {@code expired}). Unlike a look at the key afterwards, it also catches a key that was deleted
 * and recreated in between (by the next pong of another tab).
 */
public final class PresenceWatch implements AutoCloseable {

    private static final String PRESENCE_CHANNEL = "realtime:presence";
    private static final String FENCE = "fence";

    private final RedisCli control;
    private final RedisCli subscriber;
    private final String user;
    private final String keyChannel;

    /** {@code control}: a connection for commands; {@code subscriber}: a fresh connection to the same Redis, closed with the watch. */
    public PresenceWatch(RedisCli control, RedisCli subscriber, String user) {
        this.control = control;
        this.subscriber = subscriber;
        this.user = user;
        this.keyChannel = "__keyspace@0__:presence:" + user;
        // K: keyspace channel, g: DEL/EXPIRE..., $: SET, x: expiry. The test Redis is the tests' own.
        control.call("CONFIG", "SET", "notify-keyspace-events", "Kg$x");
        subscriber.call("SUBSCRIBE", PRESENCE_CHANNEL);
        subscriber.call("SUBSCRIBE", keyChannel);
    }

    /**
     * Everything recorded since the watch opened, up to a fence published now: {@code "online:true"} or
     * {@code "online:false"} for the user's presence events, {@code "key:<event>"} for the presence key's.
     */
    public List<String> untilFence() {
        control.call("PUBLISH", PRESENCE_CHANNEL, FENCE);
        List<String> seen = new ArrayList<>();
        subscriber.setTimeout(5000);
        try {
            while (true) {
                List<?> message = (List<?>) subscriber.read();
                String channel = message.get(1).toString();
                String payload = message.get(2).toString();
                if (channel.equals(PRESENCE_CHANNEL) && payload.equals(FENCE)) {
                    return seen;
                }
                if (channel.equals(keyChannel)) {
                    seen.add("key:" + payload);
                } else if (payload.contains("\"userId\":\"" + user + "\"")) {
                    seen.add(payload.contains("\"online\":true") ? "online:true" : "online:false");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no fence on " + PRESENCE_CHANNEL + " within 5 s; seen " + seen, e);
        }
    }

    @Override
    public void close() {
        control.call("CONFIG", "SET", "notify-keyspace-events", "");
        subscriber.close();
    }
}
