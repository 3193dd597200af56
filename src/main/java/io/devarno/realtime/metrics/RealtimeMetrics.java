package io.devarno.realtime.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.protocol.UpgradeRefusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The meters listed in README.md#operations, served at /q/metrics in Prometheus format. */
@Singleton
public class RealtimeMetrics {

    /** A message for a user with no connection on this pod (another pod holds it, or nobody does). */
    public static final String DROPPED_NO_LOCAL_CONNECTION = "no_local_connection";
    /** A message that found its connection's send buffer full (the connection is closed with 1013). */
    public static final String DROPPED_SLOW_CONSUMER = "slow_consumer";

    private static final List<String> DROPPED_REASONS = List.of(DROPPED_NO_LOCAL_CONNECTION, DROPPED_SLOW_CONSUMER);

    private static final Meter CLOSED = new Meter(
            "realtime.connections.closed",
            "WebSocket connections closed, by reason (client: the client or its network closed it)");
    private static final Meter DROPPED =
            new Meter("realtime.messages.dropped", "Messages not delivered to a connection, by reason");
    private static final Meter REJECTED = new Meter(
            "realtime.upgrades.rejected",
            "Upgrades to /ws refused, by reason (before the WebSocket opened, or right after it)");

    private final MeterRegistry registry;
    private final Counter opened;
    private final Counter delivered;
    private final Counter slowConsumerDisconnects;
    private final Counter presenceErrors;
    private final Counter publishedToUser;
    private final Counter publishedBroadcast;
    private final Counter recoveredComplete;
    private final Counter recoveredPartial;
    private final Counter replayed;
    private final Counter acceptsPaused;
    /** Counters by reason tag, so per-message paths do no registry lookup after a reason's first use. */
    private final Map<String, Counter> closedByReason = new ConcurrentHashMap<>();

    private final Map<String, Counter> droppedByReason = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();

    public RealtimeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.opened = Counter.builder("realtime.connections.opened")
                .description("WebSocket connections opened")
                .register(registry);
        this.delivered = Counter.builder("realtime.messages.delivered")
                .description("Messages written to a connection")
                .register(registry);
        this.slowConsumerDisconnects = Counter.builder("realtime.slow.consumer.disconnects")
                .description("Connections closed with 1013 because their send buffer was full")
                .register(registry);
        this.presenceErrors = Counter.builder("realtime.presence.errors")
                .description("Presence updates that Redis did not take (the connection stays open)")
                .register(registry);
        this.publishedToUser = published("user");
        this.publishedBroadcast = published("broadcast");
        // Every known reason from the start, so that dashboards and alerts see zeros rather than no series.
        reasonCounter(closedByReason, CLOSED, CloseCode.CLIENT_LABEL);
        Arrays.stream(CloseCode.values())
                .filter(code -> !code.refusesUpgrade())
                .forEach(code -> reasonCounter(closedByReason, CLOSED, code.label()));
        DROPPED_REASONS.forEach(reason -> reasonCounter(droppedByReason, DROPPED, reason));
        Arrays.stream(UpgradeRefusal.values())
                .forEach(refusal -> reasonCounter(rejectedByReason, REJECTED, refusal.label()));
        this.recoveredComplete = recovered("complete");
        this.recoveredPartial = recovered("partial");
        this.acceptsPaused = Counter.builder("realtime.accepts.paused")
                .description("Times the listening socket stopped accepting until an event loop finished its turn"
                        + " (realtime.admission.accepts-per-turn): a connect storm was paced")
                .register(registry);
        this.replayed = Counter.builder("realtime.history.replayed")
                .description("Messages replayed from history to reconnecting v2 connections")
                .register(registry);
    }

    private Counter recovered(String result) {
        return Counter.builder("realtime.history.recovered")
                .tag("result", result)
                .description("Stream recoveries asked for by v2 connections (since / broadcast_since): complete, "
                        + "or partial (something was lost, or the position was not valid)")
                .register(registry);
    }

    public void bindGauges(Supplier<Number> connections, Supplier<Number> users) {
        Gauge.builder("realtime.connections", connections)
                .description("Open WebSocket connections on this pod")
                .register(registry);
        Gauge.builder("realtime.users", users)
                .description("Distinct users connected to this pod")
                .register(registry);
    }

    public void bindUpgradesInFlight(Supplier<Number> inFlight) {
        Gauge.builder("realtime.upgrades.in.flight", inFlight)
                .description(
                        "Connections just opened whose first presence write or subscription Redis has not answered yet (admission control)")
                .register(registry);
    }

    public void acceptsPaused() {
        acceptsPaused.increment();
    }

    private Counter published(String target) {
        return Counter.builder("realtime.messages.published")
                .tag("target", target)
                .description("Messages accepted for publishing by this pod's REST API")
                .register(registry);
    }

    public void connectionOpened() {
        opened.increment();
    }

    /** {@code code} is null when the client (or its network) closed the connection. */
    public void connectionClosed(CloseCode code) {
        reasonCounter(closedByReason, CLOSED, code == null ? CloseCode.CLIENT_LABEL : code.label())
                .increment();
    }

    public void published(boolean broadcast) {
        (broadcast ? publishedBroadcast : publishedToUser).increment();
    }

    public void historyRecovered(boolean complete) {
        (complete ? recoveredComplete : recoveredPartial).increment();
    }

    public void historyReplayed(int messages) {
        replayed.increment(messages);
    }

    public void delivered(int messages) {
        delivered.increment(messages);
    }

    /** {@code reason}: one of the {@code DROPPED_} labels. */
    public void dropped(String reason) {
        reasonCounter(droppedByReason, DROPPED, reason).increment();
    }

    public void slowConsumerDisconnect() {
        slowConsumerDisconnects.increment();
    }

    public void presenceError() {
        presenceErrors.increment();
    }

    public void upgradeRejected(UpgradeRefusal refusal) {
        reasonCounter(rejectedByReason, REJECTED, refusal.label()).increment();
    }

    /** A counter family by reason. */
    private record Meter(String name, String description) {}

    private Counter reasonCounter(Map<String, Counter> counters, Meter name, String reason) {
        return counters.computeIfAbsent(reason, key -> Counter.builder(name.name)
                .tag("reason", key)
                .description(name.description)
                .register(registry));
    }
}
