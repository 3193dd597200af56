package io.devarno.realtime.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.vertx.core.MultiMap;

/**
 * The upgrade headers an admitted connection keeps, and only those. Vert.x and websockets-next each keep a copy
 * of every upgrade header for the connection's lifetime; everything else (the bearer token, cookies, a gateway's
 * forwarding and tracing headers, {@code Origin}, a trusted {@code X-User-ID}) would cost memory on every
 * connection and put credentials into heap dumps.
 * <p>
 * The kept headers are re-added under shared name and value instances: websockets-next's copy lower-cases each
 * name (a new string per connection unless it already is lower case) and keeps each value, and the decoder made
 * fresh strings for every request. Names, {@code Host}, {@code Upgrade: websocket}, {@code Connection: Upgrade},
 * the version and the subprotocol are the same on almost every connection, so sharing them saves ~0.5 KB per
 * open connection. Only {@code Sec-WebSocket-Key} differs on each.
 */
final class HandshakeHeaders {

    /** Lower-case names, each mapped to itself so that one instance serves every connection. */
    static final Map<String, String> KEPT = Stream.of(
                    "host",
                    "connection",
                    "upgrade",
                    "sec-websocket-key",
                    "sec-websocket-version",
                    "sec-websocket-protocol",
                    "sec-websocket-extensions")
            .collect(Collectors.toUnmodifiableMap(Function.identity(), Function.identity()));
    /**
     * Kept as they came, never cached: the key is unique per connection, and the subprotocol offer may still carry
     * the browser's bearer token here ({@code UpgradeGate} drops the carriers, then shares what is left).
     */
    private static final Set<String> NOT_SHARED = Set.of("sec-websocket-key", "sec-websocket-protocol");
    /** Values are shared up to this many distinct ones; past it (unusual Hosts, say) they are kept as they came. */
    static final int MAX_SHARED_VALUES = 64;

    private final Map<String, String> sharedValues = new ConcurrentHashMap<>();

    /** Drops every header but the handshake's, and puts the kept ones back under shared strings. */
    void keepOnlyHandshakeHeaders(MultiMap headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>(8);
        for (Map.Entry<String, String> header : headers) {
            String name = KEPT.get(header.getKey().toLowerCase(Locale.ROOT));
            if (name != null) {
                kept.add(Map.entry(name, NOT_SHARED.contains(name) ? header.getValue() : share(header.getValue())));
            }
        }
        headers.clear();
        kept.forEach(header -> headers.add(header.getKey(), header.getValue()));
    }

    /** The one instance of {@code value} this pod keeps, while there is room for another. */
    String share(String value) {
        String shared = sharedValues.get(value);
        if (shared != null) {
            return shared;
        }
        if (sharedValues.size() >= MAX_SHARED_VALUES) {
            return value;
        }
        shared = sharedValues.putIfAbsent(value, value);
        return shared == null ? value : shared;
    }
}
