package io.devarno.realtime.presence;

import java.util.List;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * The cluster-wide presence store (docs/protocol.md#presence): who is online, read and written by every pod. A user is
 * online while at least one of their connections, on any pod, is alive; each connection is named by a member id
 * unique across pods. {@link PresenceTracker} writes this pod's connections into it; the REST API reads it.
 */
public interface PresenceStore {

    /**
     * Marks the connection alive (open, pong, app ping). Emits true when the user just came online. Touch and
     * leave emit only once the store has answered (no client-side timeout): a caller that orders them must
     * not let a timed-out touch overtake the leave that follows it.
     */
    Uni<Boolean> touch(String userId, String member);

    /** Forgets a closed connection. Emits the number of the user's live connections left cluster-wide. */
    Uni<Integer> leave(String userId, String member);

    /** The user's last-seen epoch ms while online, empty while offline. */
    Uni<Optional<Long>> lastSeen(String userId);

    /** One page of online users; {@code after} is the previous page's cursor (null for the first page). */
    Uni<Page> online(String after, int limit);

    /** Takes offline the users whose connections all expired without a close. Emits how many. */
    Uni<Integer> sweepExpired();

    record Page(List<String> users, String nextCursor) {}
}
