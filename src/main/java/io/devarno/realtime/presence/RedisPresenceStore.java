package io.devarno.realtime.presence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import io.devarno.realtime.auth.UserIds;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.redis.RedisBatcher;
import io.devarno.realtime.redis.RedisLayout;
import io.devarno.realtime.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Response;

/**
 * The presence store on a standalone Redis or behind Sentinel; every transition, indexes included, is one atomic Lua
 * script (see {@link RedisLayout} for the keys). On a Redis Cluster, {@link ShardedPresenceStore} is used instead.
 */
public class RedisPresenceStore implements PresenceStore {

    private static final RedisScript TOUCH = RedisScript.load("presence-touch.lua");
    private static final RedisScript LEAVE = RedisScript.load("presence-leave.lua");
    private static final RedisScript SWEEP = RedisScript.load("presence-sweep.lua");
    private static final RedisScript PAGE = RedisScript.load("presence-page.lua");
    private static final String SWEEP_BATCH = "500";

    private final ReactiveRedisDataSource redis;
    private final RedisBatcher batcher;
    private final RedisLayout layout;
    private final Duration timeout;
    private final String ttlMillis;

    public RedisPresenceStore(
            ReactiveRedisDataSource redis, RedisBatcher batcher, RedisLayout layout, RealtimeConfig config) {
        this.redis = redis;
        this.batcher = batcher;
        this.layout = layout;
        this.timeout = config.redis().timeout();
        this.ttlMillis = Long.toString(config.presence().ttl().toMillis());
    }

    @Override
    public Uni<Boolean> touch(String userId, String member) {
        return TOUCH.run(batcher, redis, userKeys(userId), member, ttlMillis, userId, layout.presenceChannel())
                .map(r -> r.toInteger() == 1);
    }

    @Override
    public Uni<Integer> leave(String userId, String member) {
        return LEAVE.run(batcher, redis, userKeys(userId), member, userId, layout.presenceChannel())
                .map(Response::toInteger);
    }

    @Override
    public Uni<Optional<Long>> lastSeen(String userId) {
        return redis.execute(Command.GET, layout.presenceKey(userId))
                .ifNoItem()
                .after(timeout)
                .fail()
                .map(r -> r == null ? Optional.<Long>empty() : Optional.of(Long.parseLong(r.toString())));
    }

    @Override
    public Uni<Page> online(String after, int limit) {
        String start = after == null ? "-" : "(" + decodeCursor(after);
        return PAGE.run(
                        redis,
                        timeout,
                        List.of(layout.onlineKey()),
                        layout.presencePrefix(),
                        start,
                        Integer.toString(limit))
                .map(r -> {
                    List<String> users = new ArrayList<>();
                    r.get(0).forEach(u -> users.add(u.toString()));
                    String next = r.get(1).toString();
                    return new Page(users, next.isEmpty() ? null : encodeCursor(next.substring(1)));
                });
    }

    @Override
    public Uni<Integer> sweepExpired() {
        return SWEEP.run(
                        redis,
                        timeout,
                        List.of(layout.onlineKey(), layout.expiryKey()),
                        layout.presencePrefix(),
                        layout.connsPrefix(),
                        layout.presenceChannel(),
                        SWEEP_BATCH)
                .map(Response::toInteger);
    }

    private List<String> userKeys(String userId) {
        return List.of(layout.presenceKey(userId), layout.connsKey(userId), layout.onlineKey(), layout.expiryKey());
    }

    static String encodeCursor(String lastUserId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastUserId.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidCursorException when the cursor was not made by this service */
    static String decodeCursor(String cursor) {
        try {
            String userId = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (UserIds.isValid(userId)) {
                return userId;
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw new InvalidCursorException();
    }
}
