package io.devarno.realtime.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;

/** The start-up line names the transport and every optimisation that is active with this Quarkus version. */
@QuarkusTest
@WithRedis
class TransportReportTest {

    @Inject
    TransportReport report;

    @Test
    void everyOptimisationIsActiveWithThisQuarkusVersion() {
        String summary = report.summary();
        assertTrue(summary.contains("fan-out writes: pre-encoded, straight to the channel"), summary);
        assertTrue(summary.contains("upgrade headers after open: released"), summary);
        assertTrue(summary.contains("Redis pub/sub reads: batched (2 ms window)"), summary);
    }

    @Test
    void linuxOnX86RunsOnEpoll() {
        boolean linuxX86 =
                System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                        && System.getProperty("os.arch").matches("amd64|x86_64");
        String summary = report.summary();
        assertTrue(
                linuxX86 ? summary.startsWith("Transport: epoll;") : summary.startsWith("Transport: NIO (epoll: "),
                summary);
    }
}
