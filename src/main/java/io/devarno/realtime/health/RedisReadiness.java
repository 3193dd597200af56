package io.devarno.realtime.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.devarno.realtime.cluster.Broker;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;

/** Readiness {@code redis}: a PING answered within 1 s and the pub/sub connection up; says why when DOWN. */
@Readiness
@ApplicationScoped
public class RedisReadiness implements AsyncHealthCheck {

    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveRedisDataSource redis;
    private final Broker broker;

    public RedisReadiness(ReactiveRedisDataSource redis, Broker broker) {
        this.redis = redis;
        this.broker = broker;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.execute(Command.PING)
                .ifNoItem()
                .after(PING_TIMEOUT)
                .fail()
                .map(pong -> broker.isConnected()
                        ? HealthCheckResponse.named("redis").up().build()
                        : HealthCheckResponse.named("redis")
                                .down()
                                .withData("reason", "pub/sub connection is down")
                                .build())
                .onFailure()
                .recoverWithItem(f -> HealthCheckResponse.named("redis")
                        .down()
                        .withData(
                                "reason",
                                "PING failed: "
                                        + (f.getMessage() == null ? f.getClass().getSimpleName() : f.getMessage()))
                        .build());
    }
}
