package io.devarno.realtime.config;

import java.util.UUID;

import jakarta.inject.Singleton;

/** A stable id for this pod: {@code realtime.pod-id}, else {@code HOSTNAME}, else a generated one. */
@Singleton
public class PodId {

    private final String value;

    public PodId(RealtimeConfig config) {
        String hostname = System.getenv("HOSTNAME");
        this.value = config.podId()
                .filter(s -> !s.isBlank())
                .orElse(
                        hostname != null && !hostname.isBlank()
                                ? hostname
                                : "pod-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String value() {
        return value;
    }
}
