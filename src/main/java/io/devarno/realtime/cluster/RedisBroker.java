package io.devarno.realtime.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Delivery;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.hub.StreamKind;
import io.devarno.realtime.hub.UserSubscriptions;
import io.devarno.realtime.redis.ClusterSlots;
import io.devarno.realtime.redis.RedisDeployment;
import io.devarno.realtime.redis.RedisLayout;
import io.devarno.realtime.transport.ReadSwitch;
import io.devarno.realtime.transport.RedisChannels;
import io.devarno.realtime.transport.WireFrame;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Response;

/**
 * Redis pub/sub. Receiving goes through one dedicated connection per pod, subscribed to {@code realtime:broadcast}
 * and to the user channel of each user the hub holds. When that connection ends or fails, it is re-established
 * every {@code realtime.redis.reconnect-interval}, every channel is subscribed again, and {@link BrokerReconnected}
 * is fired so presence can be re-asserted. Under load that connection reads in batches ({@link ReadBatching}).
 * <p>
 * On a Redis Cluster user channels are sharded ({@code SPUBLISH}, and {@code SSUBSCRIBE} on the master serving
 * each channel's slot: {@link ShardedChannels}); the dedicated connection, to one master, carries the broadcast and
 * presence channels, which classic pub/sub spreads to every node.
 * <p>
 * A message recorded in its stream's history arrives with its position in front of the payload
 * ({@link RecordedMessage}); a plain {@code PUBLISH} arrives as published. SUBSCRIBE confirmations tell when the
 * pod has caught up with a stream ({@link SubscribeConfirmations}, {@link #caughtUp}).
 */
@ApplicationScoped
public class RedisBroker implements Broker, UserSubscriptions {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class);
    private static final int CHANNELS_PER_COMMAND = 500;

    private final ReactiveRedisDataSource redis;
    private final RedisLayout layout;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private final Event<BrokerReconnected> reconnected;
    private final RedisChannels channels;
    private final RedisDeployment deployment;
    /** Null unless on a Redis Cluster. */
    private final ShardedChannels sharded;

    private final AtomicBoolean connecting = new AtomicBoolean();
    private final PubSubCommands commands;
    private volatile RedisConnection subscriber;
    private volatile ReadBatching readBatching;
    private volatile boolean stopped;
    private boolean everConnected;
    private long timer = -1;
    private final Set<Consumer<String>> presenceListeners = ConcurrentHashMap.newKeySet();
    private final Map<RedisConnection, SubscribeConfirmations> confirmations = new ConcurrentHashMap<>();

    @Inject
    Hub hub;

    public RedisBroker(
            ReactiveRedisDataSource redis,
            RedisLayout layout,
            RealtimeConfig config,
            Vertx vertx,
            Event<BrokerReconnected> reconnected,
            RedisChannels channels,
            RedisDeployment deployment) {
        this.redis = redis;
        this.layout = layout;
        this.config = config;
        this.vertx = vertx;
        this.reconnected = reconnected;
        this.channels = channels;
        this.deployment = deployment;
        this.sharded =
                deployment.isCluster() ? new ShardedChannels(deployment, this::readBatching, this::deliver) : null;
        this.commands = new PubSubCommands(vertx, CHANNELS_PER_COMMAND);
    }

    void onStart(@Observes StartupEvent event) {
        connect();
        if (sharded != null) {
            sharded.tick();
        }
        timer = vertx.setPeriodic(config.redis().reconnectInterval().toMillis(), id -> {
            if (subscriber == null && !stopped) {
                connect();
            }
            if (sharded != null) {
                sharded.tick();
            }
        });
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopped = true;
    }

    @Override
    public Uni<Void> caughtUp(StreamKind stream, String userId) {
        if (stream == StreamKind.USER && sharded != null) {
            return sharded.caughtUp(layout.userChannel(userId))
                    .ifNoItem()
                    .after(config.redis().timeout())
                    .fail();
        }
        RedisConnection connection = subscriber;
        if (connection == null) {
            return Uni.createFrom().failure(new BrokerUnavailableException("Redis is unavailable", null));
        }
        String channel = stream == StreamKind.USER ? layout.userChannel(userId) : layout.broadcastChannel();
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        send(connection, Command.SUBSCRIBE, List.of(channel), confirmed);
        Uni<Void> caughtUp = Uni.createFrom()
                .completionStage(confirmed)
                .ifNoItem()
                .after(config.redis().timeout())
                .fail();
        if (stream == StreamKind.USER) {
            // The user's last connection may have closed meanwhile: this SUBSCRIBE must not outlive them.
            caughtUp = caughtUp.eventually(() -> hub.ifUserAbsent(userId, () -> unsubscribe(userId)));
        }
        return caughtUp;
    }

    @Override
    public boolean isConnected() {
        return subscriber != null;
    }

    @Override
    public CompletionStage<Void> subscribe(String userId) {
        if (sharded != null) {
            return sharded.subscribe(layout.userChannel(userId));
        }
        RedisConnection connection = subscriber;
        if (connection == null) {
            return CompletableFuture.completedFuture(null); // subscribed again on reconnect
        }
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        send(connection, Command.SUBSCRIBE, List.of(layout.userChannel(userId)), confirmed);
        return confirmed;
    }

    @Override
    public void unsubscribe(String userId) {
        if (sharded != null) {
            sharded.unsubscribe(layout.userChannel(userId));
        } else {
            send(subscriber, Command.UNSUBSCRIBE, List.of(layout.userChannel(userId)));
        }
    }

    @Override
    public AutoCloseable onPresenceEvent(Consumer<String> listener) {
        synchronized (presenceListeners) {
            if (presenceListeners.isEmpty()) {
                send(subscriber, Command.SUBSCRIBE, List.of(layout.presenceChannel()));
            }
            presenceListeners.add(listener);
        }
        return () -> {
            synchronized (presenceListeners) {
                if (presenceListeners.remove(listener) && presenceListeners.isEmpty()) {
                    send(subscriber, Command.UNSUBSCRIBE, List.of(layout.presenceChannel()));
                }
            }
        };
    }

    private void connect() {
        if (stopped || !connecting.compareAndSet(false, true)) {
            return;
        }
        Uni<RedisConnection> connection = deployment.isCluster()
                ? deployment.refreshSlots().chain(this::connectToAMaster)
                : redis.getRedis()
                        .connect()
                        .ifNoItem()
                        .after(config.redis().timeout())
                        .fail();
        connection.subscribe().with(this::onConnected, failure -> {
            connecting.set(false);
            LOG.debugf("Redis pub/sub connection failed: %s", failure.getMessage());
        });
    }

    /** Classic pub/sub reaches every node of a cluster: any master will do; a random one spreads the pods. */
    private Uni<RedisConnection> connectToAMaster(ClusterSlots slots) {
        List<String> masters = slots.masters();
        if (masters.isEmpty()) {
            return Uni.createFrom().failure(new IllegalStateException("the cluster serves no slot"));
        }
        return deployment.connect(masters.get(ThreadLocalRandom.current().nextInt(masters.size())));
    }

    private ReadBatching readBatching(RedisConnection connection) {
        return new ReadBatching(
                config.redis().readBatchWindow().toNanos(),
                () -> channels.readSwitchOf(connection.getDelegate()),
                System::nanoTime);
    }

    private void onConnected(RedisConnection connection) {
        ReadBatching batching = readBatching(connection);
        readBatching = batching;
        SubscribeConfirmations confirmed = new SubscribeConfirmations();
        confirmations.put(connection, confirmed);
        connection.handler(message -> {
            batching.onMessage();
            onMessage(message, confirmed);
        });
        connection.exceptionHandler(failure -> lost(connection, failure.getMessage()));
        connection.endHandler(() -> lost(connection, "connection closed"));
        // Publish the connection before reading the hub's users: a user registering concurrently either
        // sees it and subscribes itself, or is in the snapshot below.
        subscriber = connection;
        List<String> users = sharded != null ? List.of() : new ArrayList<>(hub.users());
        List<String> channels = new ArrayList<>(users.size() + 1);
        channels.add(layout.broadcastChannel());
        if (!presenceListeners.isEmpty()) {
            channels.add(layout.presenceChannel());
        }
        users.forEach(user -> channels.add(layout.userChannel(user)));
        send(connection, Command.SUBSCRIBE, channels);
        // A user that left while the snapshot was being subscribed must not stay subscribed.
        users.forEach(user -> hub.ifUserAbsent(user, () -> unsubscribe(user)));
        connecting.set(false);
        if (everConnected) {
            LOG.infof("Redis pub/sub connection re-established; %d channels subscribed again", channels.size());
        }
        everConnected = true;
        reconnected.fireAsync(new BrokerReconnected());
    }

    private void lost(RedisConnection connection, String why) {
        SubscribeConfirmations confirmed = confirmations.remove(connection);
        if (confirmed != null) {
            confirmed.close();
        }
        if (subscriber == connection) {
            subscriber = null;
            if (!stopped) {
                LOG.warnf(
                        "Redis pub/sub connection lost (%s); retrying every %s",
                        why, config.redis().reconnectInterval());
            }
        }
        connection.closeAndForget();
    }

    /** The read batching of the current subscriber connection (for tests). */
    ReadBatching readBatching() {
        return readBatching;
    }

    /** The read switch over the current subscriber connection's channel, if found (for tests). */
    ReadSwitch subscriberReads() {
        RedisConnection connection = subscriber;
        return connection == null ? null : channels.readSwitchOf(connection.getDelegate());
    }

    private void onMessage(Response message, SubscribeConfirmations confirmed) {
        if (message.size() < 3) {
            return;
        }
        String kind = message.get(0).toString();
        if (kind.equals("subscribe") || kind.equals("ssubscribe")) {
            confirmed.confirmed(message.get(1).toString());
            return;
        }
        if (!kind.equals("message") && !kind.equals("smessage")) {
            return;
        }
        deliver(message.get(1).toString(), message.get(2));
    }

    private void deliver(String channel, Response payload) {
        if (channel.equals(layout.presenceChannel())) {
            String event = payload.toString();
            presenceListeners.forEach(listener -> listener.accept(event));
            return;
        }
        boolean broadcast = channel.equals(layout.broadcastChannel());
        String userId = broadcast ? null : layout.userOfChannel(channel);
        if (!broadcast && userId == null) {
            return;
        }
        Delivery delivery = delivery(
                broadcast ? StreamKind.BROADCAST : StreamKind.USER,
                payload.toBuffer().getDelegate());
        try {
            if (broadcast) {
                hub.broadcast(delivery);
            } else {
                hub.deliverToUser(userId, delivery);
            }
        } finally {
            delivery.release();
        }
    }

    private static Delivery delivery(StreamKind stream, Buffer bytes) {
        RecordedMessage recorded = RecordedMessage.parse(bytes);
        if (recorded == null) {
            return new Delivery(
                    stream, null, 0, () -> WireFrame.text(bytes), () -> bytes.toString(StandardCharsets.UTF_8));
        }
        Buffer payload = bytes.slice(recorded.payloadStart(), bytes.length());
        return new Delivery(
                stream,
                recorded.epoch(),
                recorded.offset(),
                () -> WireFrame.text(payload),
                () -> payload.toString(StandardCharsets.UTF_8));
    }

    private void send(RedisConnection connection, Command command, List<String> channels) {
        send(connection, command, channels, null);
    }

    /** {@code waiter} (a single SUBSCRIBE's) completes once the pod has caught up with the channel (see {@link SubscribeConfirmations}). */
    private void send(
            RedisConnection connection, Command command, List<String> channels, CompletableFuture<Void> waiter) {
        if (connection == null) {
            return; // subscribed again on reconnect
        }
        SubscribeConfirmations confirmed = confirmations.get(connection);
        if (confirmed == null) { // lost meanwhile; the next connection subscribes every channel again
            if (waiter != null) {
                waiter.completeExceptionally(new BrokerUnavailableException("the pub/sub connection was lost", null));
            }
            return;
        }
        if (command == Command.SUBSCRIBE) {
            channels.forEach(channel -> confirmed.expect(channel, waiter));
        }
        commands.send(connection, command, channels);
    }

    /** The sharded user channels on a Redis Cluster, else null (for tests). */
    ShardedChannels sharded() {
        return sharded;
    }

    @PreDestroy
    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
        if (sharded != null) {
            sharded.stop();
        }
        RedisConnection connection = subscriber;
        subscriber = null;
        if (connection != null) {
            connection.closeAndForget();
        }
    }
}
