package io.devarno.realtime.redis;

import jakarta.inject.Singleton;

import io.quarkus.arc.Unremovable;
import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.VertxRedisClientFactory;
import io.vertx.redis.client.RedisOptions;

/**
 * Keeps a copy of the options Quarkus built for its default Redis client (credentials, TLS, timeouts), so that
 * {@link RedisDeployment} can open connections to single cluster nodes with the same settings. No dependencies:
 * Quarkus calls it while it creates the client.
 */
@Singleton
@Unremovable
public class RedisOptionsCapture implements RedisOptionsCustomizer {

    private volatile RedisOptions options;

    @Override
    public void customize(String clientName, RedisOptions built) {
        if (VertxRedisClientFactory.DEFAULT_CLIENT.equals(clientName)) {
            options = new RedisOptions(built);
        }
    }

    /** A copy of the default client's options; fails when Quarkus has not built that client yet. */
    RedisOptions options() {
        RedisOptions captured = options;
        if (captured == null) {
            throw new IllegalStateException("the default Redis client has not been created yet");
        }
        return new RedisOptions(captured);
    }
}
