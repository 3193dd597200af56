package io.devarno.realtime.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Client;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.presence.PresenceTracker;
import io.devarno.realtime.protocol.CloseCode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Graceful shutdown (docs/operations.md#shutdown): readiness DOWN and new upgrades refused at once, open connections
 * closed with 1001 spread evenly over {@code realtime.shutdown.drain}, presence cleaned as for ordinary
 * closes, then the process may exit.
 */
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final Hub hub;
    private final PresenceTracker presence;
    private final Duration drain;

    public Drain(Hub hub, PresenceTracker presence, RealtimeConfig config) {
        this.hub = hub;
        this.presence = presence;
        this.drain = config.shutdown().drain();
    }

    /** Pre-shutdown (quarkus.shutdown.delay-enabled): the HTTP server still serves probes and refuses upgrades. */
    void onShutdownStarting(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    /** A fallback for stops that skip the pre-shutdown phase; after a drain there is nothing left to close. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        drain();
    }

    synchronized void drain() {
        if (hub.isDraining()) {
            return;
        }
        hub.startDraining();
        List<Client> clients = new ArrayList<>();
        hub.forEachClient(clients::add);
        LOG.infof("Draining %d connections over %s", clients.size(), drain);
        long start = System.nanoTime();
        long spacing = clients.isEmpty() ? 0 : drain.toNanos() / clients.size();
        for (int i = 0; i < clients.size(); i++) {
            sleepUntil(start + i * spacing);
            clients.get(i).close(CloseCode.SHUTDOWN);
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        while (clients.stream().anyMatch(c -> !c.closeCompleted()) && System.nanoTime() < deadline) {
            sleepUntil(System.nanoTime() + 20_000_000L);
        }
        presence.settled(clients)
                .ifNoItem()
                .after(CLOSE_GRACE)
                .recoverWithItem((Void) null)
                .await()
                .indefinitely();
        LOG.infof(
                "Drained in %d ms; %d connections left",
                (System.nanoTime() - start) / 1_000_000, hub.connectionCount());
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
