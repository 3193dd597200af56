package io.devarno.realtime.hub;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.protocol.UpgradeRefusal;

/**
 * This pod's connections, indexed by user: register, unregister, fan-out to every tab of a user, broadcast.
 * Fan-out only queues the frame in the {@link Outbox} of each connection's event loop, so publishers never
 * wait; a connection with {@code send-buffer} messages or {@code send-buffer-bytes} bytes unwritten is closed
 * with 1013 and skipped.
 */
@Singleton
public class Hub implements Outbox.Listener {

    public enum Registration {
        ACCEPTED(null),
        DRAINING(UpgradeRefusal.DRAINING),
        POD_FULL(UpgradeRefusal.POD_FULL),
        USER_FULL(UpgradeRefusal.USER_FULL);

        private final UpgradeRefusal refusal;

        Registration(UpgradeRefusal refusal) {
            this.refusal = refusal;
        }

        /** Why the connection is refused; null when it is accepted. */
        public UpgradeRefusal refusal() {
            return refusal;
        }
    }

    /** Each user's tabs as an immutable list, replaced inside {@code compute}: lighter than a set per user. */
    private final Map<String, List<Client>> clientsByUser = new ConcurrentHashMap<>();

    private final AtomicInteger connections = new AtomicInteger();
    private final UserSubscriptions subscriptions;
    private final RealtimeMetrics metrics;
    private final SendBuffer sendBuffer;
    private final Map<Executor, Outbox> outboxes = new ConcurrentHashMap<>();
    private final int maxPerUser;
    private final int maxConnections;
    private volatile boolean draining;

    public Hub(UserSubscriptions subscriptions, RealtimeMetrics metrics, RealtimeConfig config) {
        this.subscriptions = subscriptions;
        this.metrics = metrics;
        this.sendBuffer =
                new SendBuffer(config.sendBuffer(), config.sendBufferBytes().asLongValue());
        this.maxPerUser = config.maxConnectionsPerUser();
        this.maxConnections = config.maxConnections().orElse(Integer.MAX_VALUE);
        metrics.bindGauges(connections::get, clientsByUser::size);
    }

    /** A cheap pre-check for the upgrade request; {@link #register} decides for real. */
    public Registration admits(String userId) {
        if (draining) {
            return Registration.DRAINING;
        }
        if (connections.get() >= maxConnections) {
            return Registration.POD_FULL;
        }
        List<Client> tabs = clientsByUser.get(userId);
        return tabs != null && tabs.size() >= maxPerUser ? Registration.USER_FULL : Registration.ACCEPTED;
    }

    /**
     * Registers the tab; {@code subscribing} receives the subscription of the user's channel when this is the user's
     * first tab on this pod (the upgrade counts as in flight until Redis confirms it).
     */
    public Registration register(Client client, Consumer<CompletionStage<Void>> subscribing) {
        if (draining) {
            return Registration.DRAINING;
        }
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return Registration.POD_FULL;
        }
        client.useOutbox(outboxes.computeIfAbsent(client.eventLoop(), loop -> new Outbox(loop, sendBuffer, this)));
        Registration[] outcome = {Registration.ACCEPTED};
        clientsByUser.compute(client.userId(), (userId, tabs) -> {
            if (tabs == null) {
                subscribing.accept(subscriptions.subscribe(userId));
                return List.of(client);
            }
            if (tabs.size() >= maxPerUser) {
                outcome[0] = Registration.USER_FULL;
                return tabs;
            }
            Client[] more = tabs.toArray(new Client[tabs.size() + 1]);
            more[tabs.size()] = client;
            return List.of(more);
        });
        if (outcome[0] != Registration.ACCEPTED) {
            connections.decrementAndGet();
        }
        return outcome[0];
    }

    /** Returns true when the client was registered here (and is now gone). */
    public boolean unregister(Client client) {
        boolean[] removed = {false};
        clientsByUser.computeIfPresent(client.userId(), (userId, tabs) -> {
            List<Client> rest = tabs.stream().filter(tab -> tab != client).toList();
            removed[0] = rest.size() < tabs.size();
            if (rest.isEmpty()) {
                subscriptions.unsubscribe(userId);
                return null;
            }
            return rest;
        });
        if (removed[0]) {
            connections.decrementAndGet();
            client.abandonRecovery();
        }
        return removed[0];
    }

    /** Queues the message for every local connection of the user. Returns how many connections it was queued for. */
    public int deliverToUser(String userId, Delivery message) {
        List<Client> tabs = clientsByUser.get(userId);
        if (tabs == null) {
            metrics.dropped(RealtimeMetrics.DROPPED_NO_LOCAL_CONNECTION);
            return 0;
        }
        int queued = 0;
        for (Client client : tabs) {
            client.deliver(message);
            queued++;
        }
        return queued;
    }

    /** Queues the message for every local connection. */
    public int broadcast(Delivery message) {
        int queued = 0;
        for (List<Client> tabs : clientsByUser.values()) {
            for (Client client : tabs) {
                client.deliver(message);
                queued++;
            }
        }
        return queued;
    }

    @Override
    public void delivered(int messages) {
        metrics.delivered(messages);
    }

    @Override
    public void overflowed(Client client) {
        metrics.dropped(RealtimeMetrics.DROPPED_SLOW_CONSUMER);
        if (client.close(CloseCode.SLOW_CONSUMER)) {
            metrics.slowConsumerDisconnect();
        }
    }

    public void forEachClient(Consumer<Client> action) {
        clientsByUser.values().forEach(tabs -> tabs.forEach(action));
    }

    /**
     * Every connection, for a pass spread over several tasks: safe to hold across them (each user's tabs are an
     * immutable list), it may skip a connection opened meanwhile and still return one closed meanwhile.
     */
    public Iterator<Client> clients() {
        return clientsByUser.values().stream().flatMap(List::stream).iterator();
    }

    /** True when the user holds at least one connection on this pod. */
    public boolean hasUser(String userId) {
        return clientsByUser.containsKey(userId);
    }

    /**
     * Runs {@code action} only if the user has no local connection, atomically with register and unregister
     * of that user.
     */
    public void ifUserAbsent(String userId, Runnable action) {
        clientsByUser.compute(userId, (id, tabs) -> {
            if (tabs == null) {
                action.run();
            }
            return tabs;
        });
    }

    public Collection<String> users() {
        return Set.copyOf(clientsByUser.keySet());
    }

    /** user id -> local connection count, in user-id order. */
    public Map<String, Integer> connectionsPerUser() {
        Map<String, Integer> counts = new TreeMap<>();
        clientsByUser.forEach((userId, tabs) -> counts.put(userId, tabs.size()));
        return counts;
    }

    public int connectionCount() {
        return connections.get();
    }

    public int userCount() {
        return clientsByUser.size();
    }

    public boolean isDraining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }
}
