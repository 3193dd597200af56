package io.devarno.realtime.ws;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;

/**
 * {@code realtime.allowed-origins}: a browser upgrade must come from a listed origin; an upgrade without an
 * Origin header (a server-side client) is allowed; {@code *} allows every origin.
 */
@Singleton
public class OriginPolicy {

    private final boolean any;
    private final Set<String> allowed;

    public OriginPolicy(RealtimeConfig config) {
        List<String> origins = config.allowedOrigins().orElse(List.of());
        this.any = origins.contains("*");
        this.allowed = origins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean allows(String origin) {
        return origin == null || any || allowed.contains(normalize(origin));
    }

    /** For a log line: what is allowed. */
    public String describe() {
        if (any) {
            return "*";
        }
        return allowed.isEmpty()
                ? "none listed"
                : String.join(",", allowed.stream().sorted().toList());
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
