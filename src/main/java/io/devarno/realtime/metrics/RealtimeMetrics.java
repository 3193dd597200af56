package io.devarno.realtime.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The meters of contract section 6, served at /q/metrics in Prometheus format. */
@ApplicationScoped
public class RealtimeMetrics {

    private final MeterRegistry registry;
    private final Counter opened;
    private final Counter delivered;
    private final Counter slowConsumerDisconnects;
    private final Counter presenceErrors;
    private final Counter publishedToUser;
    private final Counter publishedBroadcast;
    /** Counters by reason tag, so per-message paths do no registry lookup after a reason's first use. */
    private final Map<String, Counter> closedByReason = new ConcurrentHashMap<>();
    private final Map<String, Counter> droppedByReason = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();

    public RealtimeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.opened = Counter.builder("realtime.connections.opened").description("WebSocket connections opened").register(registry);
        this.delivered = Counter.builder("realtime.messages.delivered").description("Messages written to a connection").register(registry);
        this.slowConsumerDisconnects = Counter.builder("realtime.slow.consumer.disconnects")
                .description("Connections closed with 1013 because their send buffer was full").register(registry);
        this.presenceErrors = Counter.builder("realtime.presence.errors")
                .description("Presence updates that Redis did not take (the connection stays open)").register(registry);
        this.publishedToUser = published("user");
        this.publishedBroadcast = published("broadcast");
    }

    public void bindGauges(Supplier<Number> connections, Supplier<Number> users) {
        Gauge.builder("realtime.connections", connections).description("Open WebSocket connections on this pod").register(registry);
        Gauge.builder("realtime.users", users).description("Distinct users connected to this pod").register(registry);
    }

    private Counter published(String target) {
        return Counter.builder("realtime.messages.published").tag("target", target)
                .description("Messages accepted for publishing by this pod's REST API").register(registry);
    }

    public void connectionOpened() {
        opened.increment();
    }

    public void connectionClosed(String reason) {
        reasonCounter(closedByReason, "realtime.connections.closed", reason).increment();
    }

    public void published(boolean broadcast) {
        (broadcast ? publishedBroadcast : publishedToUser).increment();
    }

    public void delivered(int messages) {
        delivered.increment(messages);
    }

    public void dropped(String reason) {
        reasonCounter(droppedByReason, "realtime.messages.dropped", reason).increment();
    }

    public void slowConsumerDisconnect() {
        slowConsumerDisconnects.increment();
    }

    public void presenceError() {
        presenceErrors.increment();
    }

    public void upgradeRejected(String reason) {
        reasonCounter(rejectedByReason, "realtime.upgrades.rejected", reason).increment();
    }

    private Counter reasonCounter(Map<String, Counter> counters, String name, String reason) {
        return counters.computeIfAbsent(reason, key -> registry.counter(name, "reason", key));
    }
}
