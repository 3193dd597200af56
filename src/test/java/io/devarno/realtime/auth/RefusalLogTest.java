package io.devarno.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The rate limit of {@link RefusalLog}, with a clock the test moves. */
class RefusalLogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final RefusalLog log = new RefusalLog(now::get);

    @Test
    void aBurstOfFiftyRefusalsIsOneLineThenOneLineCountingTheRest() {
        try (LogCapture capture = new LogCapture()) {
            for (int i = 0; i < 50; i++) {
                log.refused("origin", true, "refused " + i);
            }
            assertEquals(List.of("INFO refused 0"), capture.lines());

            now.addAndGet(TimeUnit.SECONDS.toNanos(RefusalLog.INTERVAL_SECONDS));
            log.refused("origin", true, "refused 50");
            assertEquals(
                    List.of(
                            "INFO refused 0",
                            "INFO refused 50 (and 49 more like it not logged since the last such line)"),
                    capture.lines());
        }
    }

    @Test
    void eachKindHasItsOwnLimit() {
        try (LogCapture capture = new LogCapture()) {
            log.refused("unauthorized:jose4j:14", true, "no iat");
            log.refused("unauthorized:jose4j:12", true, "wrong issuer");
            log.refused("unauthorized:jose4j:14", true, "no iat again");
            assertEquals(List.of("INFO no iat", "INFO wrong issuer"), capture.lines());
        }
    }
}
