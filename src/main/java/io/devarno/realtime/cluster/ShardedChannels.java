package io.devarno.realtime.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.devarno.realtime.redis.ClusterSlots;
import io.devarno.realtime.redis.HashSlot;
import io.devarno.realtime.redis.RedisDeployment;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * User channels on a Redis Cluster (docs/operations.md#redis-cluster): each is subscribed with {@code SSUBSCRIBE} on a
 * dedicated connection to the master serving its slot, so a message travels only within that shard. One connection per
 * master that serves at least one of the pod's users.
 * <p>
 * A channel is "unplaced" while it has no connection to be subscribed on: before the first slot map, after its
 * master's connection was lost (a master killed), after the master told the pod it no longer serves it (a slot
 * migrated, or a failover demoted it: Redis sends an unrequested {@code sunsubscribe}), or after an {@code SSUBSCRIBE}
 * was refused ({@code MOVED}). Every {@code realtime.redis.reconnect-interval} ({@link #tick}) the slot map is fetched
 * again and unplaced channels are subscribed where they now belong. No client notices: its connection stays open.
 * <p>
 * The pooled cluster client is not used here: its connection to a node gets no message handler when it is opened
 * after a redirect, and a refused pub/sub command is not retried (its reply arrives as a message).
 */
final class ShardedChannels {

    private static final Logger LOG = Logger.getLogger(ShardedChannels.class);

    private final RedisDeployment deployment;
    private final Function<RedisConnection, ReadBatching> batching;
    private final BiConsumer<String, Response> deliver;

    // all guarded by this
    private final Map<String, Shard> shards = new HashMap<>();
    private final Map<String, Shard> shardOfChannel = new HashMap<>();
    private final Set<String> unplaced = new HashSet<>();
    private boolean refreshing;
    private boolean stopped;

    /**
     * {@code batching} makes the read batching of a new connection; {@code deliver} gets each message (channel,
     * payload), on the connection's event loop.
     */
    ShardedChannels(
            RedisDeployment deployment,
            Function<RedisConnection, ReadBatching> batching,
            BiConsumer<String, Response> deliver) {
        this.deployment = deployment;
        this.batching = batching;
        this.deliver = deliver;
    }

    private static final class Shard {
        final String master;
        final Set<String> channels = new HashSet<>();
        /** Our own SUNSUBSCRIBEs not answered yet, per channel: their replies are not the server dropping a channel. */
        final Map<String, Integer> ownUnsubscribes = new HashMap<>();

        RedisConnection connection;
        SubscribeConfirmations confirmations;
        boolean connecting;

        Shard(String master) {
            this.master = master;
        }
    }

    /** Completes once the channel's SSUBSCRIBE is confirmed, or at once when it waits for its shard's connection. */
    synchronized CompletableFuture<Void> subscribe(String channel) {
        ClusterSlots slots = deployment.slots();
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        if (slots == null || stopped) {
            unplaced.add(channel);
            confirmed.complete(null); // placed, and subscribed, once the slot map is known
        } else {
            place(channel, slots, confirmed);
        }
        return confirmed;
    }

    synchronized void unsubscribe(String channel) {
        unplaced.remove(channel);
        Shard shard = shardOfChannel.remove(channel);
        if (shard != null) {
            shard.channels.remove(channel);
            sunsubscribe(shard, channel);
        }
    }

    /**
     * Completes once the channel is subscribed on its master's connection and every message published to it before
     * this call has arrived (an SSUBSCRIBE's confirmation, see {@link SubscribeConfirmations}).
     */
    synchronized Uni<Void> caughtUp(String channel) {
        Shard shard = shardOfChannel.get(channel);
        if (shard == null || shard.connection == null) {
            return Uni.createFrom()
                    .failure(new BrokerUnavailableException(
                            "the user's channel is not subscribed on its shard yet", null));
        }
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        shard.confirmations.expect(channel, confirmed);
        send(shard.connection, Command.SSUBSCRIBE, channel);
        return Uni.createFrom().completionStage(confirmed);
    }

    /** True when every channel of the pod is subscribed on its master's connection. */
    synchronized boolean settled() {
        return unplaced.isEmpty() && shards.values().stream().allMatch(shard -> shard.connection != null);
    }

    /** The masters this pod holds a sharded subscriber connection to (for tests and logs). */
    synchronized List<String> connectedMasters() {
        return shards.values().stream()
                .filter(shard -> shard.connection != null)
                .map(shard -> shard.master)
                .sorted()
                .toList();
    }

    /** Fetches the slot map again and places the unplaced channels; called every reconnect-interval. */
    void tick() {
        synchronized (this) {
            if (unplaced.isEmpty() || refreshing || stopped) {
                return;
            }
            refreshing = true;
        }
        deployment.refreshSlots().subscribe().with(this::placeAll, failure -> {
            synchronized (this) {
                refreshing = false;
            }
            LOG.debugf(
                    "Cluster slot map not fetched (%s); sharded subscriptions retried in a moment",
                    failure.getMessage());
        });
    }

    private synchronized void placeAll(ClusterSlots slots) {
        refreshing = false;
        if (stopped) {
            return;
        }
        for (Shard shard : List.copyOf(shards.values())) {
            for (String channel : List.copyOf(shard.channels)) {
                if (!shard.master.equals(slots.masterOf(channel))) {
                    shard.channels.remove(channel);
                    shardOfChannel.remove(channel);
                    sunsubscribe(shard, channel);
                    unplaced.add(channel);
                }
            }
        }
        List<String> waiting = new ArrayList<>(unplaced);
        unplaced.clear();
        waiting.forEach(channel -> place(channel, slots));
        int placed = waiting.size() - unplaced.size();
        if (placed > 0) {
            LOG.infof("%d user channels subscribed on their shard's master again", placed);
        }
        for (Shard shard : List.copyOf(shards.values())) {
            if (shard.channels.isEmpty() && shard.connection != null) {
                RedisConnection idle = shard.connection;
                shard.connection = null;
                shards.remove(shard.master);
                idle.closeAndForget();
            }
        }
    }

    private void place(String channel, ClusterSlots slots) {
        place(channel, slots, null);
    }

    /** {@code confirmed} (may be null) completes as {@link #subscribe} says. */
    private void place(String channel, ClusterSlots slots, CompletableFuture<Void> confirmed) {
        String master = slots.masterOf(channel);
        if (master == null) {
            unplaced.add(channel);
            if (confirmed != null) {
                confirmed.complete(null);
            }
            return;
        }
        Shard shard = shards.computeIfAbsent(master, Shard::new);
        shard.channels.add(channel);
        shardOfChannel.put(channel, shard);
        if (shard.connection != null) {
            shard.confirmations.expect(channel, confirmed);
            send(shard.connection, Command.SSUBSCRIBE, channel);
            return;
        }
        if (confirmed != null) {
            confirmed.complete(null); // subscribed with the others once the shard's connection is up
        }
        if (!shard.connecting) {
            connect(shard);
        }
    }

    private void sunsubscribe(Shard shard, String channel) {
        if (shard.connection != null) {
            shard.ownUnsubscribes.merge(channel, 1, Integer::sum);
            send(shard.connection, Command.SUNSUBSCRIBE, channel);
        }
    }

    private void connect(Shard shard) {
        shard.connecting = true;
        deployment.connect(shard.master).subscribe().with(connection -> connected(shard, connection), failure -> {
            synchronized (this) {
                shard.connecting = false;
                LOG.debugf("Sharded subscriber connection to %s failed: %s", shard.master, failure.getMessage());
                drop(shard);
            }
        });
    }

    private synchronized void connected(Shard shard, RedisConnection connection) {
        shard.connecting = false;
        if (stopped || shards.get(shard.master) != shard) {
            connection.closeAndForget();
            return;
        }
        ReadBatching reads = batching.apply(connection);
        connection.handler(message -> {
            reads.onMessage();
            onMessage(shard, connection, message);
        });
        connection.exceptionHandler(failure -> lost(shard, connection, failure.getMessage()));
        connection.endHandler(() -> lost(shard, connection, "connection closed"));
        shard.connection = connection;
        SubscribeConfirmations confirmations = new SubscribeConfirmations();
        shard.confirmations = confirmations;
        shard.channels.forEach(channel -> {
            confirmations.expect(channel, null);
            send(connection, Command.SSUBSCRIBE, channel);
        });
    }

    private synchronized void lost(Shard shard, RedisConnection connection, String why) {
        connection.closeAndForget();
        if (shard.connection != connection) {
            return;
        }
        shard.connection = null;
        shard.confirmations.close();
        if (!stopped) {
            LOG.warnf(
                    "Sharded subscriber connection to %s lost (%s); its %d user channels are subscribed again where "
                            + "their slots are served",
                    shard.master, why, shard.channels.size());
        }
        drop(shard);
    }

    /** Forgets the shard; its channels wait for the next slot map. */
    private void drop(Shard shard) {
        if (shards.get(shard.master) == shard) {
            shards.remove(shard.master);
        }
        shard.channels.forEach(channel -> {
            shardOfChannel.remove(channel);
            unplaced.add(channel);
        });
        shard.channels.clear();
    }

    private void onMessage(Shard shard, RedisConnection connection, Response message) {
        if (message.type() == ResponseType.ERROR) {
            refused(shard, message.toString());
            return;
        }
        if (message.size() < 3) {
            return;
        }
        String kind = message.get(0).toString();
        if ("smessage".equals(kind)) {
            deliver.accept(message.get(1).toString(), message.get(2));
        } else if ("ssubscribe".equals(kind)) {
            confirmed(shard, connection, message.get(1).toString());
        } else if ("sunsubscribe".equals(kind)) {
            unsubscribed(shard, message.get(1).toString());
        }
    }

    private void confirmed(Shard shard, RedisConnection connection, String channel) {
        SubscribeConfirmations confirmations;
        synchronized (this) {
            confirmations = shard.connection == connection ? shard.confirmations : null;
        }
        if (confirmations != null) {
            confirmations.confirmed(channel);
        }
    }

    /** A {@code sunsubscribe} arrived: either the answer to ours, or the master no longer serving the channel's slot. */
    private synchronized void unsubscribed(Shard shard, String channel) {
        Integer own = shard.ownUnsubscribes.get(channel);
        if (own != null) {
            if (own == 1) {
                shard.ownUnsubscribes.remove(channel);
            } else {
                shard.ownUnsubscribes.put(channel, own - 1);
            }
            return;
        }
        if (shard.channels.remove(channel)) {
            shardOfChannel.remove(channel);
            unplaced.add(channel);
            LOG.debugf(
                    "%s no longer serves %s (slot moved or failover); subscribing it where it is served now",
                    shard.master, channel);
        }
    }

    /** An SSUBSCRIBE was refused: MOVED names the slot; anything else (CLUSTERDOWN...) replaces every channel of the shard. */
    private synchronized void refused(Shard shard, String error) {
        LOG.debugf("%s refused a sharded subscription: %s", shard.master, error);
        Integer movedSlot = movedSlot(error);
        for (String channel : List.copyOf(shard.channels)) {
            if (movedSlot == null || HashSlot.of(channel) == movedSlot) {
                shard.channels.remove(channel);
                shardOfChannel.remove(channel);
                unplaced.add(channel);
            }
        }
    }

    private static Integer movedSlot(String error) {
        String[] parts = error.split(" ");
        if (parts.length >= 2 && parts[0].equals("MOVED")) {
            try {
                return Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static void send(RedisConnection connection, Command command, String channel) {
        connection
                .send(Request.cmd(command).arg(channel))
                .subscribe()
                .with(ignored -> {}, failure -> LOG.debugf("%s %s failed: %s", command, channel, failure.getMessage()));
    }

    synchronized void stop() {
        stopped = true;
        shards.values().forEach(shard -> {
            if (shard.connection != null) {
                shard.connection.closeAndForget();
            }
        });
        shards.clear();
    }
}
