package io.devarno.realtime.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.devarno.realtime.hub.Hub;

/** Readiness {@code hub}: DOWN from the moment the pod starts draining. */
@Readiness
@ApplicationScoped
public class HubReadiness implements HealthCheck {

    private final Hub hub;

    public HubReadiness(Hub hub) {
        this.hub = hub;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("hub")
                .status(!hub.isDraining())
                .withData("connections", hub.connectionCount())
                .withData("users", hub.userCount())
                .withData("draining", hub.isDraining())
                .build();
    }
}
