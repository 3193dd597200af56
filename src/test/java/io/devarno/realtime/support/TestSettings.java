package io.devarno.realtime.support;

import java.util.Map;

/** Service settings shared by every test run: short timings so heartbeats and expiry fit in a test. */
public final class TestSettings {

    public static final Map<String, String> SERVICE = Map.of(
            "realtime.auth.mode", "trusted-header",
            "realtime.allowed-origins", "https://app.example.com",
            "realtime.ping-interval", "1s",
            "realtime.pong-timeout", "3s",
            "realtime.presence.ttl", "10s",
            "realtime.max-message-size", "64K",
            "realtime.send-buffer", "16",
            "realtime.max-connections-per-user", "4",
            "realtime.shutdown.drain", "2s");

    private TestSettings() {
    }
}
