package io.devarno.realtime.hub;

import java.util.concurrent.CompletionStage;

/**
 * Told by the hub when a user's first local connection opens and their last one closes, so that the pod
 * listens only to the users it holds. Called while the hub holds that user's entry, so calls for one user
 * come in the order the hub decided them; implementations must not block.
 */
public interface UserSubscriptions {

    /**
     * Completes once Redis has confirmed the subscription (exceptionally if the connection is lost first), or at
     * once when there is nothing to confirm (no connection: every channel is subscribed again on reconnect).
     */
    CompletionStage<Void> subscribe(String userId);

    void unsubscribe(String userId);
}
