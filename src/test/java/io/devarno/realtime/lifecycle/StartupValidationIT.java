package io.devarno.realtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.SeveralProcesses;

/** README.md#configuration: a bad value stops the packaged service at start-up with a line naming the setting. */
@SeveralProcesses
class StartupValidationIT {

    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = new RedisProcess().start();
    }

    @AfterAll
    static void stopRedis() {
        redis.stop();
    }

    /** On a Redis Cluster the keys take their slot from a hash tag around the presence key: no braces in the prefixes. */
    @org.junit.jupiter.api.Test
    void aBraceInAKeyPrefixStopsStartUpOnARedisCluster() {
        try (ServiceProcess pod = ServiceProcess.launch(
                "bad-brace",
                redis,
                Map.of("quarkus.redis.client-type", "cluster", "realtime.presence.key-prefix", "{p}:"))) {
            int status = pod.waitFor(Duration.ofSeconds(30));
            assertNotEquals(-1, status, "start-up must stop");
            assertNotEquals(0, status);
            assertTrue(
                    pod.log().contains("realtime.presence.key-prefix must not contain '{' or '}' on a Redis Cluster"),
                    "log names the setting:\n" + pod.log());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "realtime.ping-interval | -1s | realtime.ping-interval must be positive",
                "realtime.presence.ttl | 0s | realtime.presence.ttl must be positive",
                "realtime.send-buffer | 0 | realtime.send-buffer must be at least 1",
                "realtime.redis.read-batch-window | -1ms | realtime.redis.read-batch-window must be zero or positive",
                "realtime.redis.read-batch-window | 2s | realtime.redis.read-batch-window (PT2S) must be shorter than realtime.redis.timeout",
                "realtime.send-buffer-bytes | 0 | realtime.send-buffer-bytes must be at least 1 byte",
                "realtime.max-client-frame-size | 1M | realtime.max-client-frame-size must be between 1 byte and realtime.max-message-size",
                "realtime.pong-timeout | 10s | realtime.pong-timeout (PT10S) must be longer than realtime.ping-interval",
                "realtime.auth.mode | magic | realtime.auth.mode",
                "realtime.max-message-size | lots | realtime.max-message-size"
            })
    void aBadSettingStopsStartUpNamingIt(String setting, String value, String expected) {
        Map<String, String> overrides = setting.equals("realtime.pong-timeout")
                ? Map.of(setting, value, "realtime.ping-interval", "20s", "realtime.presence.ttl", "60s")
                : Map.of(setting, value);
        try (ServiceProcess pod = ServiceProcess.launch("bad-" + setting, redis, overrides)) {
            int status = pod.waitFor(Duration.ofSeconds(30));
            assertNotEquals(-1, status, "start-up must stop");
            assertNotEquals(0, status);
            assertTrue(pod.log().contains(expected), "log names the setting:\n" + pod.log());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"jwt | realtime.auth.mode=jwt needs a verification key"})
    void jwtModeWithoutAKeyStopsStartUp(String mode, String expected) {
        try (ServiceProcess pod = ServiceProcess.launch("no-key", redis, Map.of("realtime.auth.mode", mode))) {
            assertNotEquals(0, pod.waitFor(Duration.ofSeconds(30)));
            assertTrue(pod.log().contains(expected), pod.log());
        }
    }
}
