package io.devarno.realtime.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A browser tab speaking protocol v2 across reconnects, as a client library would: it remembers the position of
 * each stream it has seen and reconnects with {@code since} / {@code broadcast_since}. It records everything it
 * receives, over all its connections, for the test to check (offsets once and in order, what {@code recovered} said).
 * Not thread-safe: one thread drives a tab.
 */
public final class V2Tab implements AutoCloseable {

    private final String user;
    private WsClient socket;
    private String userEpoch;
    private long userOffset;
    private String broadcastEpoch;
    private long broadcastOffset;
    private final List<Long> userOffsets = new ArrayList<>();
    private final List<Long> broadcastOffsets = new ArrayList<>();
    private final List<String> userData = new ArrayList<>();
    private final List<String> unrecorded = new ArrayList<>();
    private final List<V2.Welcome> welcomes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();
    private boolean awaitingWelcome;

    public V2Tab(String user) {
        this.user = user;
    }

    /** Connects to the pod's {@code /ws}, with the positions seen so far. */
    public void connect(URI ws) {
        String query = userEpoch == null
                ? ""
                : "?since=" + userEpoch + ":" + userOffset + "&broadcast_since=" + broadcastEpoch + ":"
                        + broadcastOffset;
        socket = WsClient.connect(URI.create(ws + query), Map.of("X-User-ID", user), V2.OFFER, true);
        awaitingWelcome = true;
        log.append("\nconnect ").append(ws.getPort()).append(query).append(':');
    }

    /** Reads every frame that arrives within {@code time}; returns early when the connection closes and nothing is left. */
    public void read(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            for (String frame : socket.drain()) {
                take(frame);
            }
            if (socket.isClosed()) {
                socket.drain().forEach(this::take);
                log.append(" closed ").append(socket.awaitClose(Duration.ofMillis(1)));
                return;
            }
            sleep(5);
        }
        socket.drain().forEach(this::take);
    }

    /** Reads until this connection's welcome has come; false when it has not within {@code time}. */
    public boolean awaitWelcome(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (awaitingWelcome && System.nanoTime() < deadline && !socket.isClosed()) {
            read(Duration.ofMillis(20));
        }
        if (awaitingWelcome && socket.isClosed()) {
            read(Duration.ofMillis(1));
        }
        return !awaitingWelcome;
    }

    /** Reads until the user stream has reached {@code offset} or the time is up. */
    public boolean readUntilUserOffset(long offset, Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline && userOffset < offset) {
            read(Duration.ofMillis(50));
        }
        return userOffset >= offset;
    }

    /** Drops the connection as a network failure would (no close frame); what was received is kept. */
    public void drop() {
        socket.drain().forEach(this::take);
        socket.abort();
        log.append(" dropped");
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    public WsClient.Close closeStatus() {
        return socket.isClosed() ? socket.awaitClose(java.time.Duration.ofMillis(1)) : null;
    }

    public WsClient.Close awaitClose(Duration timeout) {
        return socket.awaitClose(timeout);
    }

    private void take(String frame) {
        JsonNode json = V2.parse(frame);
        String type = json.path("type").asText();
        if (awaitingWelcome) {
            if (!type.equals("welcome")) {
                problems.add("first frame is not the welcome: " + frame);
                return;
            }
            V2.Welcome welcome = V2.Welcome.of(frame);
            welcomes.add(welcome);
            log.append(" welcome ").append(welcome.user());
            awaitingWelcome = false;
            if (userEpoch == null) {
                userEpoch = welcome.user().epoch();
                userOffset = welcome.user().offset();
                broadcastEpoch = welcome.broadcast().epoch();
                broadcastOffset = welcome.broadcast().offset();
            } else if (!welcome.user().epoch().equals(userEpoch)) {
                problems.add("user epoch changed: " + frame);
            }
            return;
        }
        if (!type.equals("message")) {
            return;
        }
        if (!json.has("epoch")) {
            unrecorded.add(json.path("data").asText());
            return;
        }
        long offset = json.path("offset").asLong();
        if (json.path("stream").asText().equals("user")) {
            if (!json.path("epoch").asText().equals(userEpoch)) {
                problems.add("user message of another epoch: " + frame);
            }
            userOffsets.add(offset);
            userData.add(json.path("data").asText());
            log.append(' ').append(offset);
            userOffset = offset;
        } else {
            broadcastOffsets.add(offset);
            broadcastEpoch = json.path("epoch").asText();
            broadcastOffset = offset;
        }
    }

    /** What each connection got, for failure messages. */
    public String log() {
        return log.toString();
    }

    public String user() {
        return user;
    }

    public String userEpoch() {
        return userEpoch;
    }

    public long userOffset() {
        return userOffset;
    }

    /** Every user-stream offset received, over all connections, in arrival order. */
    public List<Long> userOffsets() {
        return userOffsets;
    }

    public List<String> userData() {
        return userData;
    }

    public List<Long> broadcastOffsets() {
        return broadcastOffsets;
    }

    /** The data of every unrecorded (plain PUBLISH) message received. */
    public List<String> unrecorded() {
        return unrecorded;
    }

    public List<V2.Welcome> welcomes() {
        return welcomes;
    }

    /** Protocol breaches seen (a first frame that is not the welcome, a foreign epoch). */
    public List<String> problems() {
        return problems;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
