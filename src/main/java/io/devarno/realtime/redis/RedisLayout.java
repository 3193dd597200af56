package io.devarno.realtime.redis;

import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;

/**
 * Every Redis key and pub/sub channel the service uses (docs/protocol.md#redis-layout), in one place.
 * <ul>
 * <li>{@code presence:<user>}: string, last-seen epoch ms; lives while the user has a live connection anywhere.</li>
 * <li>{@code realtime:presence:conns:<user>}: zset, one member per connection ({@code <pod>/<connection id>}),
 * score = the member's expiry in epoch ms.</li>
 * <li>{@code realtime:presence:online}: zset of online user ids (all scores 0, paged in id order).</li>
 * <li>{@code realtime:presence:expiry}: zset user id -> expiry of the user's latest connection, swept for dead pods.</li>
 * <li>channels {@code realtime:user:<user>}, {@code realtime:broadcast}, {@code realtime:presence}.</li>
 * <li>{@code {<channel>}:history}: list, the kept messages of a stream (user or broadcast), oldest first.</li>
 * <li>{@code {<channel>}:meta}: hash {@code epoch}, {@code top} (the stream's latest offset).</li>
 * </ul>
 * On a Redis Cluster (docs/operations.md#redis-cluster) a script may only touch keys of one slot, so presence is kept
 * per user in the slot of {@code presence:<user>} (the hash tag {@code {presence:<user>}} hashes exactly like it), and
 * the cluster-wide indexes are split into {@value #INDEX_BUCKETS} buckets, each in its own slot:
 * <ul>
 * <li>{@code realtime:presence:conns:{presence:<user>}}: as {@code conns:<user>} above, kept a TTL longer than the
 * user's latest connection, so the sweeper can still tell that the user was online;</li>
 * <li>{@code realtime:presence:indexed:{presence:<user>}}: present while the user's index entry is fresh (half a TTL);</li>
 * <li>{@code realtime:presence:online:{presence-index:<n>}}: zset of the online user ids of bucket n (paged in id order);</li>
 * <li>{@code realtime:presence:expiry:{presence-index:<n>}}: zset user id -> a time by which the sweeper looks at the user again.</li>
 * </ul>
 * A stream's keys carry its channel name as their hash tag, so that the script recording and publishing a
 * message touches a single slot of a Redis Cluster: the channel's own (a sharded channel hashes as a key does).
 */
@Singleton
public class RedisLayout {

    /** Buckets of the cluster-wide presence indexes on a Redis Cluster; changing it orphans existing index entries. */
    public static final int INDEX_BUCKETS = 16;

    private final String presencePrefix;
    private final String connsPrefix;
    private final String statePrefix;
    private final String onlineKey;
    private final String expiryKey;
    private final String userChannelPrefix;
    private final String broadcastChannel;
    private final String presenceChannel;

    public RedisLayout(RealtimeConfig config) {
        this.presencePrefix = config.presence().keyPrefix();
        String state = config.presence().statePrefix();
        this.statePrefix = state;
        this.connsPrefix = state + "conns:";
        this.onlineKey = state + "online";
        this.expiryKey = state + "expiry";
        String channels = config.pubsub().prefix();
        this.userChannelPrefix = channels + "user:";
        this.broadcastChannel = channels + "broadcast";
        this.presenceChannel = channels + "presence";
    }

    public String presenceKey(String userId) {
        return presencePrefix + userId;
    }

    public String presencePrefix() {
        return presencePrefix;
    }

    public String connsKey(String userId) {
        return connsPrefix + userId;
    }

    public String connsPrefix() {
        return connsPrefix;
    }

    public String onlineKey() {
        return onlineKey;
    }

    public String expiryKey() {
        return expiryKey;
    }

    /** The user's connection set on a cluster, in the slot of {@link #presenceKey}. */
    public String taggedConnsKey(String userId) {
        return statePrefix + "conns:{" + presenceKey(userId) + "}";
    }

    /** Present while the user's entry in the cluster indexes is fresh, in the slot of {@link #presenceKey}. */
    public String indexedKey(String userId) {
        return statePrefix + "indexed:{" + presenceKey(userId) + "}";
    }

    /** The index bucket of a user on a cluster, 0 to {@value #INDEX_BUCKETS} - 1. */
    public static int indexBucket(String userId) {
        return Math.floorMod(userId.hashCode(), INDEX_BUCKETS);
    }

    public String onlineBucketKey(int bucket) {
        return statePrefix + "online:{presence-index:" + bucket + "}";
    }

    public String expiryBucketKey(int bucket) {
        return statePrefix + "expiry:{presence-index:" + bucket + "}";
    }

    public String userChannel(String userId) {
        return userChannelPrefix + userId;
    }

    /** The user id of a user channel, or null when the channel is not one. */
    public String userOfChannel(String channel) {
        return channel.startsWith(userChannelPrefix) ? channel.substring(userChannelPrefix.length()) : null;
    }

    public String broadcastChannel() {
        return broadcastChannel;
    }

    /** The history list of the stream published on {@code channel}. */
    public String historyKey(String channel) {
        return "{" + channel + "}:history";
    }

    /** The epoch and latest offset of the stream published on {@code channel}. */
    public String historyMetaKey(String channel) {
        return "{" + channel + "}:meta";
    }

    public String presenceChannel() {
        return presenceChannel;
    }
}
