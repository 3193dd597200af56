package io.devarno.realtime.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/** Stops start-up with one clear line per bad setting (README.md#configuration). */
@ApplicationScoped
public class ConfigValidator {

    private static final Logger LOG = Logger.getLogger(ConfigValidator.class);
    static final String REDIS_POOL_SIZE = "quarkus.redis.max-pool-size";

    void onStart(@Observes @Priority(1) StartupEvent event, RealtimeConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            problems.forEach(LOG::error);
            throw new ConfigurationException("Invalid configuration: " + String.join("; ", problems));
        }
        if (config.auth().mode() == RealtimeConfig.AuthMode.TRUSTED_HEADER) {
            LOG.warnf(
                    "realtime.auth.mode=trusted-header: the user id is taken from X-User-ID / ?user_id= as sent; "
                            + "port %s must stay internal, reachable only from the gateway",
                    ConfigProvider.getConfig()
                            .getOptionalValue("quarkus.http.port", String.class)
                            .orElse("8085"));
        }
        if (config.allowedOrigins().isEmpty()) {
            LOG.info("realtime.allowed-origins is empty: browser upgrades (with an Origin header) are refused "
                    + "until origins are configured; server-side clients are allowed");
        }
    }

    static List<String> problems(RealtimeConfig config) {
        return problems(config, ConfigProvider.getConfig());
    }

    /** {@code all}: the whole configuration, for the Quarkus settings ours depend on. */
    static List<String> problems(RealtimeConfig config, Config all) {
        List<String> problems = new ArrayList<>();
        positive(problems, "realtime.ping-interval", config.pingInterval());
        positive(problems, "realtime.pong-timeout", config.pongTimeout());
        positive(problems, "realtime.presence.ttl", config.presence().ttl());
        positive(problems, "realtime.shutdown.drain", config.shutdown().drain(), true);
        positive(problems, "realtime.redis.timeout", config.redis().timeout());
        positive(problems, "realtime.redis.reconnect-interval", config.redis().reconnectInterval());
        positive(problems, "realtime.redis.read-batch-window", config.redis().readBatchWindow(), true);
        if (config.redis().readBatchWindow().compareTo(config.redis().timeout()) >= 0) {
            problems.add("realtime.redis.read-batch-window (" + config.redis().readBatchWindow()
                    + ") must be shorter than realtime.redis.timeout ("
                    + config.redis().timeout() + ")");
        }
        if (config.pongTimeout().compareTo(config.pingInterval()) <= 0) {
            problems.add("realtime.pong-timeout (" + config.pongTimeout()
                    + ") must be longer than realtime.ping-interval (" + config.pingInterval() + ")");
        }
        if (config.presence().ttl().compareTo(config.pongTimeout()) < 0) {
            problems.add("realtime.presence.ttl (" + config.presence().ttl()
                    + ") must not be shorter than realtime.pong-timeout (" + config.pongTimeout() + ")");
        }
        if (config.maxMessageSize().asLongValue() < 1 || config.maxMessageSize().asLongValue() > Integer.MAX_VALUE) {
            problems.add("realtime.max-message-size must be between 1 byte and 2G");
        }
        if (config.maxClientFrameSize().asLongValue() < 1
                || config.maxClientFrameSize().asLongValue()
                        > config.maxMessageSize().asLongValue()) {
            problems.add("realtime.max-client-frame-size must be between 1 byte and realtime.max-message-size");
        }
        atLeastOne(problems, "realtime.send-buffer", config.sendBuffer());
        if (config.sendBufferBytes().asLongValue() < 1) {
            problems.add("realtime.send-buffer-bytes must be at least 1 byte");
        }
        atLeastOne(problems, "realtime.max-connections-per-user", config.maxConnectionsPerUser());
        atLeastOne(problems, "realtime.client-rate-limit", config.clientRateLimit());
        atLeastOne(
                problems,
                "realtime.presence.writes-in-flight",
                config.presence().writesInFlight());
        atLeastOne(
                problems, "realtime.admission.max-in-flight", config.admission().maxInFlight());
        zeroOrMore(
                problems,
                "realtime.admission.accepts-per-turn",
                config.admission().acceptsPerTurn());
        if (config.admission().retryAfter().compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("realtime.admission.retry-after must be at least 1s (was "
                    + config.admission().retryAfter() + ")");
        }
        presenceWritePacing(problems, config, all);
        positive(problems, "realtime.history.ttl", config.history().ttl());
        zeroOrMore(problems, "realtime.history.size", config.history().size());
        zeroOrMore(problems, "realtime.history.broadcast-size", config.history().broadcastSize());
        config.maxConnections().ifPresent(n -> atLeastOne(problems, "realtime.max-connections", n));
        if (config.presence().keyPrefix().isBlank()) {
            problems.add("realtime.presence.key-prefix must not be blank");
        }
        if (config.presence().statePrefix().equals(config.presence().keyPrefix())) {
            problems.add("realtime.presence.state-prefix must differ from realtime.presence.key-prefix");
        }
        if (onRedisCluster(all)) {
            // The service's keys take their slot from a hash tag around the presence key ({presence:<user>}):
            // a brace in a prefix would make Redis hash another part of the key.
            noBraces(problems, "realtime.presence.key-prefix", config.presence().keyPrefix());
            noBraces(
                    problems,
                    "realtime.presence.state-prefix",
                    config.presence().statePrefix());
            // a stream's history keys take their slot from a hash tag around its channel name ({realtime:user:<id>})
            noBraces(problems, "realtime.pubsub.prefix", config.pubsub().prefix());
        }
        if (config.auth().mode() == RealtimeConfig.AuthMode.JWT && !jwtKeyConfigured(all)) {
            problems.add("realtime.auth.mode=jwt needs a verification key: set mp.jwt.verify.publickey.location "
                    + "(PEM or JWKS) or mp.jwt.verify.publickey");
        }
        return problems;
    }

    private static boolean jwtKeyConfigured(Config all) {
        return all.getOptionalValue("mp.jwt.verify.publickey.location", String.class)
                        .isPresent()
                || all.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
    }

    /**
     * Presence writes are paced twice: at most {@code writes-in-flight} wait for Redis (presence.PresenceWriteQueue),
     * and redis.RedisBatcher sends them in batches of {@link RealtimeConfig.Presence#WRITES_PER_BATCH}, at most
     * {@link RealtimeConfig.Presence#BATCHES_IN_FLIGHT} at a time, each on a pooled connection. The two agree only
     * when the writes in flight fit in the batches, and the pool must keep connections beyond the batches'.
     */
    private static void presenceWritePacing(List<String> problems, RealtimeConfig config, Config all) {
        int batchCapacity = RealtimeConfig.Presence.WRITES_PER_BATCH * RealtimeConfig.Presence.BATCHES_IN_FLIGHT;
        if (config.presence().writesInFlight() > batchCapacity) {
            problems.add(
                    "realtime.presence.writes-in-flight (" + config.presence().writesInFlight() + ") must not exceed "
                            + batchCapacity + ", what the pipelined batches carry at once ("
                            + RealtimeConfig.Presence.BATCHES_IN_FLIGHT
                            + " x " + RealtimeConfig.Presence.WRITES_PER_BATCH
                            + "): the rest would wait unseen in the batcher");
        }
        int poolSize = all.getValue(REDIS_POOL_SIZE, Integer.class);
        if (poolSize <= RealtimeConfig.Presence.BATCHES_IN_FLIGHT) {
            problems.add(REDIS_POOL_SIZE + " (" + poolSize + ") must be larger than the "
                    + RealtimeConfig.Presence.BATCHES_IN_FLIGHT
                    + " pooled connections presence writes may hold at once, "
                    + "or publishes and lookups wait behind them");
        }
    }

    private static boolean onRedisCluster(Config all) {
        return all.getOptionalValue("quarkus.redis.client-type", String.class)
                .map(type -> type.trim().equalsIgnoreCase("cluster"))
                .orElse(false);
    }

    private static void noBraces(List<String> problems, String name, String value) {
        if (value.contains("{") || value.contains("}")) {
            problems.add(name + " must not contain '{' or '}' on a Redis Cluster (was " + value + ")");
        }
    }

    private static void positive(List<String> problems, String name, Duration value) {
        positive(problems, name, value, false);
    }

    private static void positive(List<String> problems, String name, Duration value, boolean zeroAllowed) {
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            problems.add(name + " must be " + (zeroAllowed ? "zero or positive" : "positive") + " (was " + value + ")");
        }
    }

    private static void zeroOrMore(List<String> problems, String name, int value) {
        if (value < 0) {
            problems.add(name + " must be 0 or more (was " + value + ")");
        }
    }

    private static void atLeastOne(List<String> problems, String name, int value) {
        if (value < 1) {
            problems.add(name + " must be at least 1 (was " + value + ")");
        }
    }
}
