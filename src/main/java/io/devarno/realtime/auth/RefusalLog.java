package io.devarno.realtime.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

/**
 * One log line per refused upgrade or API call, with its precise reason, rate-limited so a storm of bad requests
 * cannot flood the log: per kind of refusal at most one line every {@link #INTERVAL_SECONDS} seconds, the next one
 * saying how many were left out. Configuration mistakes (a missing required claim, a wrong issuer or audience, an
 * untrusted key, an origin not listed) log at INFO: someone has to fix a setting. What clients cause every day (an
 * expired or missing token) logs at DEBUG.
 */
@Singleton
public class RefusalLog {

    static final long INTERVAL_SECONDS = 60;
    /** Kinds are few (a refusal and the token checks that failed); the cap only guards against a bug making them many. */
    private static final int MAX_KINDS = 256;

    private static final Logger LOG = Logger.getLogger(RefusalLog.class);

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public RefusalLog() {
        this(System::nanoTime);
    }

    RefusalLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * @param kind a bounded key for rate limiting (never a value the client chose, such as its origin)
     * @param message the precise reason, may name what the client sent
     */
    public void refused(String kind, boolean configurationMistake, String message) {
        Logger.Level level = configurationMistake ? Logger.Level.INFO : Logger.Level.DEBUG;
        if (!LOG.isEnabled(level)) {
            return;
        }
        Window window = windows.get(kind);
        if (window == null) {
            if (windows.size() >= MAX_KINDS) {
                kind = "other";
            }
            window = windows.computeIfAbsent(kind, k -> new Window());
        }
        long suppressed = window.admit(nanoTime.getAsLong());
        if (suppressed < 0) {
            return;
        }
        if (suppressed == 0) {
            LOG.log(level, message);
        } else {
            LOG.logf(level, "%s (and %d more like it not logged since the last such line)", message, suppressed);
        }
    }

    private static final class Window {
        private long openedAt;
        private boolean open;
        private long suppressed;

        /** The number left out since the last line if this one is logged, else -1. */
        synchronized long admit(long now) {
            if (open && now - openedAt < INTERVAL_SECONDS * 1_000_000_000L) {
                suppressed++;
                return -1;
            }
            long left = suppressed;
            open = true;
            openedAt = now;
            suppressed = 0;
            return left;
        }
    }
}
