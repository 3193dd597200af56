package io.devarno.realtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The settings that only work together: each rule, checked without starting the service. */
class ConfigValidatorTest {

    private static final int BATCHES = RealtimeConfig.Presence.BATCHES_IN_FLIGHT;
    private static final int BATCH_CAPACITY = RealtimeConfig.Presence.WRITES_PER_BATCH * BATCHES;

    @Test
    void thePresenceBatchesMayHoldAllButOneOfThePooledConnections() {
        assertEquals(List.of(), problems(Map.of(ConfigValidator.REDIS_POOL_SIZE, Integer.toString(BATCHES + 1))));
    }

    @Test
    void aRedisPoolThePresenceBatchesCouldFillIsRefusedNamingBothNumbers() {
        assertEquals(
                List.of(
                        ConfigValidator.REDIS_POOL_SIZE + " (" + BATCHES + ") must be larger than the " + BATCHES
                                + " pooled connections presence writes may hold at once, or publishes and lookups wait behind them"),
                problems(Map.of(ConfigValidator.REDIS_POOL_SIZE, Integer.toString(BATCHES))));
    }

    @Test
    void theDefaultWritesInFlightIsWhatTheBatchesCarry() {
        assertEquals(
                BATCH_CAPACITY,
                config(Map.of())
                        .getConfigMapping(RealtimeConfig.class)
                        .presence()
                        .writesInFlight());
        assertEquals(
                List.of(), problems(Map.of("realtime.presence.writes-in-flight", Integer.toString(BATCH_CAPACITY))));
    }

    @Test
    void moreWritesInFlightThanTheBatchesCarryIsRefused() {
        assertEquals(
                List.of("realtime.presence.writes-in-flight (" + (BATCH_CAPACITY + 1) + ") must not exceed "
                        + BATCH_CAPACITY + ", what the pipelined batches carry at once (" + BATCHES + " x "
                        + RealtimeConfig.Presence.WRITES_PER_BATCH + "): the rest would wait unseen in the batcher"),
                problems(Map.of("realtime.presence.writes-in-flight", Integer.toString(BATCH_CAPACITY + 1))));
    }

    /** Problems of the defaults plus {@code settings}, in trusted-header mode (jwt mode needs a key). */
    private static List<String> problems(Map<String, String> settings) {
        SmallRyeConfig config = config(settings);
        return ConfigValidator.problems(config.getConfigMapping(RealtimeConfig.class), config);
    }

    private static SmallRyeConfig config(Map<String, String> settings) {
        Map<String, String> properties =
                new HashMap<>(Map.of("realtime.auth.mode", "trusted-header", ConfigValidator.REDIS_POOL_SIZE, "6"));
        properties.putAll(settings);
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withConverter(java.time.Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(RealtimeConfig.class)
                .build();
    }
}
