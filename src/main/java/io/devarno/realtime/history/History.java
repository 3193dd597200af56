package io.devarno.realtime.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.StreamKind;
import io.devarno.realtime.redis.RedisDeployment;
import io.devarno.realtime.redis.RedisLayout;
import io.devarno.realtime.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The streams' history in Redis (docs/protocol.md#protocol-v2-history-and-recovery): recording a message (and
 * publishing it, in the same script) and reading what a stream keeps. Each stream is a list of payloads and a hash
 * {epoch, top}, under the hash tag of the stream's channel (see {@link RedisLayout}); both expire
 * {@code realtime.history.ttl} after the stream's latest message.
 */
@ApplicationScoped
public class History {

    private static final RedisScript RECORD = RedisScript.load("history-record.lua");
    private static final RedisScript READ = RedisScript.load("history-read.lua");

    /** What a read found: the stream's position, and the kept payloads of offsets {@code from}, {@code from + 1}, ... */
    public record Page(String epoch, long top, long from, boolean recovered, List<String> payloads) {

        /** The stream's latest position. */
        public Position position() {
            return new Position(epoch, top);
        }
    }

    private final ReactiveRedisDataSource redis;
    private final RedisLayout layout;
    private final Duration timeout;
    private final String userSize;
    private final String broadcastSize;
    private final String ttlMillis;
    private final String userPublish;

    public History(
            ReactiveRedisDataSource redis, RedisLayout layout, RealtimeConfig config, RedisDeployment deployment) {
        this.redis = redis;
        // Sharded pub/sub for user channels on a Redis Cluster (docs/operations.md#redis-cluster); broadcasts reach
        // every node.
        this.userPublish = deployment.isCluster() ? "SPUBLISH" : "PUBLISH";
        this.layout = layout;
        this.timeout = config.redis().timeout();
        this.userSize = Integer.toString(config.history().size());
        this.broadcastSize = Integer.toString(config.history().broadcastSize());
        this.ttlMillis = Long.toString(Math.max(1, config.history().ttl().toMillis()));
    }

    /** Records the payload in the stream and publishes it to every pod; emits its position. */
    public Uni<Position> record(StreamKind kind, String userId, String payload) {
        String channel = channel(kind, userId);
        return RECORD.run(redis, timeout, keys(channel), payload, size(kind), ttlMillis, publishCommand(kind))
                .map(answer ->
                        new Position(answer.get(0).toString(), answer.get(1).toLong()));
    }

    /**
     * Reads the stream's position and at most {@code limit} of its kept messages after {@code since} (-1: all,
     * 0: none). Absent {@code since}: from the start of the current epoch. Malformed: the position only, not
     * recovered.
     */
    public Uni<Page> read(StreamKind kind, String userId, Since since, int limit) {
        String epoch = "";
        String offset = "0";
        int max = limit;
        if (since instanceof Since.At at) {
            epoch = at.position().epoch();
            offset = Long.toString(at.position().offset());
        } else if (since instanceof Since.Malformed) {
            max = 0;
        }
        boolean malformed = since instanceof Since.Malformed;
        return READ.run(redis, timeout, keys(channel(kind, userId)), epoch, offset, Integer.toString(max), ttlMillis)
                .map(answer -> page(answer, malformed));
    }

    private static Page page(Response answer, boolean malformed) {
        List<String> payloads = new ArrayList<>(answer.size() - 4);
        for (int i = 4; i < answer.size(); i++) {
            payloads.add(answer.get(i).toString());
        }
        boolean recovered = !malformed && answer.get(3).toInteger() == 1;
        return new Page(
                answer.get(0).toString(), answer.get(1).toLong(), answer.get(2).toLong(), recovered, payloads);
    }

    private String channel(StreamKind kind, String userId) {
        return kind == StreamKind.USER ? layout.userChannel(userId) : layout.broadcastChannel();
    }

    private List<String> keys(String channel) {
        return List.of(layout.historyKey(channel), layout.historyMetaKey(channel));
    }

    private String size(StreamKind kind) {
        return kind == StreamKind.USER ? userSize : broadcastSize;
    }

    private String publishCommand(StreamKind kind) {
        return kind == StreamKind.USER ? userPublish : "PUBLISH";
    }
}
