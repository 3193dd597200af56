package io.devarno.realtime.redis;

import jakarta.enterprise.context.ApplicationScoped;

import io.devarno.realtime.config.RealtimeConfig;

/**
 * Every Redis key and pub/sub channel the service uses (contract sections 4 and 5), in one place.
 * <ul>
 * <li>{@code presence:<user>}: string, last-seen epoch ms; lives while the user has a live connection anywhere.</li>
 * <li>{@code realtime:presence:conns:<user>}: zset, one member per connection ({@code <pod>/<connection id>}),
 * score = the member's expiry in epoch ms.</li>
 * <li>{@code realtime:presence:online}: zset of online user ids (all scores 0, paged in id order).</li>
 * <li>{@code realtime:presence:expiry}: zset user id -> expiry of the user's latest connection, swept for dead pods.</li>
 * <li>channels {@code realtime:user:<user>}, {@code realtime:broadcast}, {@code realtime:presence}.</li>
 * </ul>
 */
@ApplicationScoped
public class RedisLayout {

    private final String presencePrefix;
    private final String connsPrefix;
    private final String onlineKey;
    private final String expiryKey;
    private final String userChannelPrefix;
    private final String broadcastChannel;
    private final String presenceChannel;

    public RedisLayout(RealtimeConfig config) {
        this.presencePrefix = config.presence().keyPrefix();
        String state = config.presence().statePrefix();
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

    public String presenceChannel() {
        return presenceChannel;
    }
}
