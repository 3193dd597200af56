package io.devarno.realtime.cluster;

import java.util.function.Consumer;
import io.smallrye.mutiny.Uni;

/**
 * Carries messages between pods (docs/protocol.md). A publish succeeds once the broker has taken it;
 * delivery then happens on every pod that holds the user, this one included, through the same path.
 */
public interface Broker {

    /** Fails with {@link BrokerUnavailableException} at once when the broker is known to be down. */
    Uni<Void> publishToUser(String userId, String payload);

    Uni<Void> broadcast(String payload);

    /** True while this pod's subscription connection is up. */
    boolean isConnected();

    /**
     * Receives every presence event ({@code realtime:presence}) while registered; the pod subscribes to that
     * channel only while at least one listener is registered. Close the handle to stop.
     */
    AutoCloseable onPresenceEvent(Consumer<String> listener);
}
