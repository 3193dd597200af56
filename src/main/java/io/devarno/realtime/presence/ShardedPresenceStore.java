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
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;

/**
 * Presence on a Redis Cluster (docs/operations.md#redis-cluster). A script may only touch keys of one slot, so each
 * user's state lives in the slot of its public key {@code presence:<user>} and one script still moves a user atomically
 * (online and offline events published exactly once). The cluster-wide indexes (online users, when to look at a user
 * again) are split into {@link RedisLayout#INDEX_BUCKETS} buckets in their own slots and written in a second step: when
 * a user comes online, goes offline, and every half TTL while online. That step is not atomic with the first; the
 * sweeper repairs what it leaves behind (see {@link RedisLayout} for the keys).
 */
public class ShardedPresenceStore implements PresenceStore {

    private static final RedisScript TOUCH = RedisScript.load("sharded-presence-touch.lua");
    private static final RedisScript LEAVE = RedisScript.load("sharded-presence-leave.lua");
    private static final RedisScript CHECK = RedisScript.load("sharded-presence-check.lua");
    private static final RedisScript INDEX_ADD = RedisScript.load("sharded-index-add.lua");
    private static final RedisScript INDEX_REMOVE = RedisScript.load("sharded-index-remove.lua");
    private static final RedisScript INDEX_DUE = RedisScript.load("sharded-index-due.lua");
    private static final RedisScript INDEX_PAGE = RedisScript.load("sharded-index-page.lua");
    private static final String SWEEP_BATCH = "100";
    private static final int CHECKS_IN_FLIGHT = 16;

    private final ReactiveRedisDataSource redis;
    private final RedisBatcher batcher;
    private final RedisLayout layout;
    private final Duration timeout;
    private final String ttlMillis;

    public ShardedPresenceStore(
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
                .chain(reply -> {
                    int state = reply.get(0).toInteger();
                    if (state == 0) {
                        return Uni.createFrom().item(false);
                    }
                    // If the index write fails, the marker must not keep the next touches from retrying it.
                    return INDEX_ADD
                            .run(redis, bucketKeys(userId), userId, reply.get(1).toString())
                            .onFailure()
                            .call(() -> redis.execute(Command.DEL, layout.indexedKey(userId)))
                            .map(ignored -> state == 2);
                });
    }

    @Override
    public Uni<Integer> leave(String userId, String member) {
        return LEAVE.run(batcher, redis, userKeys(userId), member, userId, layout.presenceChannel(), ttlMillis)
                .chain(reply -> {
                    int left = reply.get(0).toInteger();
                    long ended = reply.get(1).toLong();
                    if (left > 0 || ended < 0) {
                        return Uni.createFrom().item(left);
                    }
                    return INDEX_REMOVE
                            .run(redis, bucketKeys(userId), userId, Long.toString(ended))
                            .map(ignored -> 0);
                });
    }

    @Override
    public Uni<Optional<Long>> lastSeen(String userId) {
        return redis.execute(Command.GET, layout.presenceKey(userId))
                .ifNoItem()
                .after(timeout)
                .fail()
                .map(r -> r == null ? Optional.<Long>empty() : Optional.of(Long.parseLong(r.toString())));
    }

    /**
     * Walks the buckets in order from the cursor's, each in user-id order, until the page is full; entries past their
     * due time (a pod died and the sweeper has not been there yet) are listed only if {@code presence:<user>} exists.
     */
    @Override
    public Uni<Page> online(String after, int limit) {
        Position from = after == null ? new Position(0, null) : Position.decode(after);
        return fill(from, limit, new ArrayList<>());
    }

    private Uni<Page> fill(Position from, int limit, List<String> users) {
        if (from.bucket >= RedisLayout.INDEX_BUCKETS) {
            return Uni.createFrom().item(new Page(users, null));
        }
        String start = from.lastUser == null ? "-" : "(" + from.lastUser;
        int want = limit - users.size();
        return INDEX_PAGE
                .run(redis, timeout, bucketKeys(from.bucket), start, Integer.toString(want))
                .chain(reply -> {
                    List<String> candidates = new ArrayList<>();
                    List<Uni<Boolean>> listed = new ArrayList<>();
                    for (int i = 0; i < reply.get(0).size(); i++) {
                        String user = reply.get(0).get(i).toString();
                        candidates.add(user);
                        listed.add(
                                reply.get(1).get(i).toInteger() == 0
                                        ? Uni.createFrom().item(true)
                                        : redis.execute(Command.EXISTS, layout.presenceKey(user))
                                                .ifNoItem()
                                                .after(timeout)
                                                .fail()
                                                .map(exists -> exists.toInteger() == 1));
                    }
                    boolean exhausted = reply.get(2).toString().isEmpty();
                    Uni<List<Boolean>> checked = listed.isEmpty()
                            ? Uni.createFrom().item(List.of())
                            : Uni.join().all(listed).andFailFast();
                    return checked.chain(flags -> {
                        for (int i = 0; i < candidates.size(); i++) {
                            if (flags.get(i)) {
                                users.add(candidates.get(i));
                            }
                        }
                        Position next = exhausted
                                ? new Position(from.bucket + 1, null)
                                : new Position(from.bucket, candidates.get(candidates.size() - 1));
                        if (users.size() >= limit) {
                            return Uni.createFrom()
                                    .item(new Page(
                                            users, next.bucket >= RedisLayout.INDEX_BUCKETS ? null : next.encode()));
                        }
                        return fill(next, limit, users);
                    });
                });
    }

    /** Looks at the users whose index entries fell due in every bucket; emits how many were taken offline. */
    @Override
    public Uni<Integer> sweepExpired() {
        return Multi.createFrom()
                .range(0, RedisLayout.INDEX_BUCKETS)
                .onItem()
                .transformToUniAndMerge(this::sweep)
                .collect()
                .with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    private Uni<Integer> sweep(int bucket) {
        return INDEX_DUE
                .run(redis, timeout, List.of(layout.expiryBucketKey(bucket)), SWEEP_BATCH)
                .onItem()
                .transformToMulti(reply -> {
                    List<String[]> due = new ArrayList<>();
                    for (int i = 0; i + 1 < reply.size(); i += 2) {
                        due.add(new String[] {
                            reply.get(i).toString(), reply.get(i + 1).toString()
                        });
                    }
                    return Multi.createFrom().iterable(due);
                })
                .onItem()
                .transformToUni(entry -> check(entry[0], entry[1]))
                .merge(CHECKS_IN_FLIGHT)
                .collect()
                .with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    /** Emits 1 when the user was taken offline. */
    private Uni<Integer> check(String userId, String dueMillis) {
        return CHECK.run(redis, timeout, userKeys(userId), userId, layout.presenceChannel(), dueMillis)
                .chain(reply -> {
                    boolean online = reply.get(0).toInteger() == 1;
                    String time = reply.get(1).toString();
                    return online
                            ? INDEX_ADD
                                    .run(redis, timeout, bucketKeys(userId), userId, time)
                                    .map(ignored -> 0)
                            : INDEX_REMOVE
                                    .run(redis, timeout, bucketKeys(userId), userId, time)
                                    .map(ignored -> 1);
                });
    }

    private List<String> userKeys(String userId) {
        return List.of(layout.presenceKey(userId), layout.taggedConnsKey(userId), layout.indexedKey(userId));
    }

    private List<String> bucketKeys(String userId) {
        return bucketKeys(RedisLayout.indexBucket(userId));
    }

    private List<String> bucketKeys(int bucket) {
        return List.of(layout.onlineBucketKey(bucket), layout.expiryBucketKey(bucket));
    }

    /** Where a page stopped: the bucket, and the last user id returned from it (null: from its start). */
    record Position(int bucket, String lastUser) {

        String encode() {
            String text = bucket + ":" + (lastUser == null ? "" : lastUser);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        /** @throws InvalidCursorException when the cursor was not made by this class */
        static Position decode(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                int bucket = Integer.parseInt(text.substring(0, colon));
                String user = text.substring(colon + 1);
                if (bucket >= 0 && bucket < RedisLayout.INDEX_BUCKETS && (user.isEmpty() || UserIds.isValid(user))) {
                    return new Position(bucket, user.isEmpty() ? null : user);
                }
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // falls through
            }
            throw new InvalidCursorException();
        }
    }
}
