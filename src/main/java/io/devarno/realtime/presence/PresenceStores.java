package io.devarno.realtime.presence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.redis.RedisBatcher;
import io.devarno.realtime.redis.RedisDeployment;
import io.devarno.realtime.redis.RedisLayout;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;

/** Picks the presence store for how Redis is deployed: one atomic script per transition, or sharded on a cluster. */
@ApplicationScoped
public class PresenceStores {

    @Produces
    @Singleton
    PresenceStore presenceStore(
            RedisDeployment deployment,
            ReactiveRedisDataSource redis,
            RedisBatcher batcher,
            RedisLayout layout,
            RealtimeConfig config) {
        return deployment.isCluster()
                ? new ShardedPresenceStore(redis, batcher, layout, config)
                : new RedisPresenceStore(redis, batcher, layout, config);
    }
}
