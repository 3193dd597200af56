package io.devarno.realtime.cluster;

import java.util.function.Consumer;

import io.devarno.realtime.hub.StreamKind;
import io.smallrye.mutiny.Uni;

/**
 * Carries messages between pods (docs/protocol.md): every message published to a user (or broadcast), by the
 * REST API's recording script ({@code history.History}) or by another service, reaches every pod that holds the
 * user, this one included, through the same path.
 */
public interface Broker {

    /**
     * Completes once this pod is subscribed to the stream (the user's, or the broadcast one) and every message
     * published to it before this call has reached the pod: what a connection joining the stream waits for, before
     * and after it reads the stream's history. Fails when the broker is unavailable or does not answer in time.
     */
    Uni<Void> caughtUp(StreamKind stream, String userId);

    /** True while this pod's subscription connection is up. */
    boolean isConnected();

    /**
     * Receives every presence event ({@code realtime:presence}) while registered; the pod subscribes to that
     * channel only while at least one listener is registered. Close the handle to stop.
     */
    AutoCloseable onPresenceEvent(Consumer<String> listener);
}
