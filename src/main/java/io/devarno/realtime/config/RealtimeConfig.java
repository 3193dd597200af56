package io.devarno.realtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every service setting, under the prefix {@code realtime.} (README.md#configuration). Each one can be
 * overridden by an environment variable, e.g. {@code REALTIME_PRESENCE_TTL=120s}.
 * {@link ConfigValidator} rejects bad values at start-up.
 */
@ConfigMapping(prefix = "realtime")
public interface RealtimeConfig {

    /** Default of {@link #maxMessageSize()}, also read by {@link WebSocketLimitsInterceptor}. */
    String DEFAULT_MAX_MESSAGE_SIZE = "512K";
    /** Default of {@link #maxClientFrameSize()}, also read by {@link WebSocketLimitsInterceptor}. */
    String DEFAULT_MAX_CLIENT_FRAME_SIZE = "16K";

    /** The server sends a WebSocket ping this often. */
    @WithDefault("54s")
    Duration pingInterval();

    /** A connection that sends no pong and no frame for this long is closed. */
    @WithDefault("60s")
    Duration pongTimeout();

    Presence presence();

    PubSub pubsub();

    /** Largest message accepted for publishing: a REST body. */
    @WithDefault(DEFAULT_MAX_MESSAGE_SIZE)
    MemorySize maxMessageSize();

    /**
     * Largest frame or message a client may send over its WebSocket (closed with 1009 above it). The client
     * protocol has only {@code ping} and {@code auth} frames: a token that fits in the upgrade's 16K of headers
     * fits here. Larger client frames only cost parsing and buffering: see docs/security.md.
     */
    @WithDefault(DEFAULT_MAX_CLIENT_FRAME_SIZE)
    MemorySize maxClientFrameSize();

    /** Outbound messages queued per connection before it counts as a slow consumer (closed with 1013). */
    @WithDefault("256")
    int sendBuffer();

    /**
     * Outbound bytes queued per connection before it counts as a slow consumer (closed with 1013), whatever the
     * message count: without it one stalled tab could pin {@code send-buffer} x {@code max-message-size}.
     * A message finding less than this queued is always accepted, so any message up to max-message-size fits.
     */
    @WithDefault("1M")
    MemorySize sendBufferBytes();

    /** Per pod: further upgrades of the same user to this pod are refused. */
    @WithDefault("32")
    int maxConnectionsPerUser();

    /** Per-pod ceiling on connections; upgrades past it get 503. Unset: no ceiling. */
    OptionalInt maxConnections();

    /** Client frames a connection may send per second before it is closed with 1008. */
    @WithDefault("50")
    int clientRateLimit();

    Auth auth();

    Api api();

    /**
     * Browser origins allowed to open a WebSocket. Empty: no browser origin (server-side clients,
     * which send no Origin header, are always allowed). {@code *} allows every origin.
     */
    Optional<List<String>> allowedOrigins();

    Shutdown shutdown();

    Redis redis();

    Console console();

    Admission admission();

    History history();

    /** This pod's id in Redis and in the connections listing. Unset: {@code HOSTNAME}, else generated. */
    Optional<String> podId();

    interface Presence {
        /** Expiry of a presence key; refreshed by pongs and app-level pings. */
        @WithDefault("300s")
        Duration ttl();

        /** Prefix of the public presence keys {@code presence:<userId>}. */
        @WithDefault("presence:")
        String keyPrefix();

        /** Prefix of the service's own bookkeeping keys (connection sets, online index). */
        @WithDefault("realtime:presence:")
        String statePrefix();

        /** Presence writes per pipelined batch ({@code redis.RedisBatcher}). Fixed, not a setting. */
        int WRITES_PER_BATCH = 128;

        /**
         * Pipelined batches of presence writes sent and not answered yet, each on its own pooled Redis connection.
         * Fixed, not a setting: {@link ConfigValidator} requires {@code quarkus.redis.max-pool-size} to leave
         * connections beyond these for publishes and lookups.
         */
        int BATCHES_IN_FLIGHT = 4;

        /**
         * Presence writes handed to Redis and not answered yet; the rest wait in order. The default is what the
         * batches carry at once ({@value #WRITES_PER_BATCH} x {@value #BATCHES_IN_FLIGHT}), the most
         * {@link ConfigValidator} accepts: more would only wait inside the batcher instead.
         */
        @WithDefault("" + WRITES_PER_BATCH * BATCHES_IN_FLIGHT)
        int writesInFlight();
    }

    interface PubSub {
        /** Prefix of the Redis pub/sub channels: {@code <prefix>user:<id>}, {@code <prefix>broadcast}, {@code <prefix>presence}. */
        @WithDefault("realtime:")
        String prefix();
    }

    interface Auth {
        /** {@code jwt} (default) or {@code trusted-header} (the gateway sets X-User-ID; keep the port internal). */
        @WithDefault("jwt")
        AuthMode mode();

        /** Accept the token in an {@code ?access_token=} query parameter (it ends up in access logs). */
        @WithDefault("false")
        boolean queryToken();

        /** The JWT claim that holds the user id. */
        @WithDefault("sub")
        String userClaim();
    }

    interface Api {
        /** In jwt mode the internal REST API needs a token whose {@code groups} hold this role. */
        @WithDefault("realtime-publisher")
        String role();
    }

    interface Shutdown {
        /** On SIGTERM, open connections are closed with 1001 spread over this time. */
        @WithDefault("10s")
        Duration drain();
    }

    interface Redis {
        /** No Redis command waits longer than this. */
        @WithDefault("1s")
        Duration timeout();

        /** How often a lost pub/sub connection is retried. */
        @WithDefault("1s")
        Duration reconnectInterval();

        /**
         * While messages reach the pod's pub/sub connection at 3 or more per window (measured over four windows), it
         * stops reading for one window after each read and then takes what arrived in one batch: under load a
         * message waits at most this long and each delivery costs about a quarter less CPU; slower traffic is not
         * delayed. 0 turns it off.
         */
        @WithDefault("2ms")
        Duration readBatchWindow();
    }

    interface Admission {
        /**
         * Upgrades accepted whose first presence write, or for a user's first tab the subscription of their channel,
         * Redis has not answered yet (each counted for at most
         * {@code redis.timeout}). Past it, upgrades get 503 with {@code Retry-After} at once instead of queueing
         * behind Redis or a saturated event loop: a reconnect storm is admitted at the pace the pod can serve.
         */
        @WithDefault("1000")
        int maxInFlight();

        /**
         * New connections an event loop takes per turn, at most: past it, the listening socket stops accepting until
         * that loop has read what was ready, and the next clients wait in the kernel's accept queue. A storm then
         * costs each turn a bounded number of handshakes, so the open connections' deliveries and pongs keep their
         * pace. 0 accepts without pacing.
         */
        @WithDefault("8")
        int acceptsPerTurn();

        /**
         * The {@code Retry-After} of a refused upgrade: a whole number of seconds, sent as a random value between this
         * and twice this, so that the clients refused together do not come back together.
         */
        @WithDefault("2s")
        Duration retryAfter();
    }

    /**
     * Message history and recovery (protocol v2): the last messages of each stream, kept in Redis so that a
     * reconnecting client gets what it missed. Memory in Redis is bounded by these settings, never by traffic.
     */
    interface History {
        /** Messages kept per user stream; 0 keeps none (positions are still given, recovery says what was missed). */
        @WithDefault("100")
        int size();

        /** Messages kept of the broadcast stream; 0 keeps none. */
        @WithDefault("1000")
        int broadcastSize();

        /** A stream's history is dropped this long after its latest message; its next message starts a new epoch. */
        @WithDefault("10m")
        Duration ttl();
    }

    interface Console {
        /** Serve the live console at /console (protected like the internal API in jwt mode). */
        @WithDefault("false")
        boolean enabled();
    }

    enum AuthMode {
        JWT,
        TRUSTED_HEADER
    }
}
