package io.devarno.realtime.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.devarno.realtime.hub.Hub;

/** Liveness {@code hub}: never depends on Redis; a restart would not help a Redis outage. */
@Liveness
@ApplicationScoped
public class HubLiveness implements HealthCheck {

    private final Hub hub;

    public HubLiveness(Hub hub) {
        this.hub = hub;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("hub")
                .up()
                .withData("connections", hub.connectionCount())
                .withData("users", hub.userCount())
                .build();
    }
}
