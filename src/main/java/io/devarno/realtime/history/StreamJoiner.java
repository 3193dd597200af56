package io.devarno.realtime.history;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.devarno.realtime.cluster.Broker;
import io.devarno.realtime.hub.Client;
import io.devarno.realtime.hub.Envelopes;
import io.devarno.realtime.hub.Envelopes.StreamState;
import io.devarno.realtime.hub.StreamKind;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.devarno.realtime.transport.WireFrame;
import io.smallrye.mutiny.Uni;

/**
 * Brings a v2 connection into its two streams (docs/protocol.md#protocol-v2-history-and-recovery): the welcome with
 * each stream's position, the replay of what it missed after its {@code since}, then the live messages, each offset
 * once and in order.
 * <p>
 * The connection is registered with a {@link io.devarno.realtime.hub.Recovery} that holds its live messages. For
 * each stream: wait until this pod is subscribed to it and caught up ({@link Broker#caughtUp}), so that every
 * message after the read below reaches the pod live; read the position and the kept messages after
 * {@code since}; wait until caught up again, so that every message up to that position has reached the pod (and
 * is held). Then the welcome and the replay are queued, followed by the held messages past the position read.
 */
@ApplicationScoped
public class StreamJoiner {

    private final Broker broker;
    private final History history;
    private final RealtimeMetrics metrics;

    public StreamJoiner(Broker broker, History history, RealtimeMetrics metrics) {
        this.broker = broker;
        this.history = history;
        this.metrics = metrics;
    }

    /** Joins the client (registered, recovering) to its streams; fails when Redis cannot say where they are. */
    public Uni<Void> join(Client client, Since userSince, Since broadcastSince) {
        String userId = client.userId();
        Uni<History.Page> user = broker.caughtUp(StreamKind.USER, userId)
                .chain(() -> history.read(StreamKind.USER, userId, userSince, replayLimit(userSince)));
        Uni<History.Page> broadcast = broker.caughtUp(StreamKind.BROADCAST, null)
                .chain(() -> history.read(StreamKind.BROADCAST, null, broadcastSince, replayLimit(broadcastSince)));
        return Uni.combine()
                .all()
                .unis(user, broadcast)
                .asTuple()
                .call(pages -> Uni.combine()
                        .all()
                        .unis(broker.caughtUp(StreamKind.USER, userId), broker.caughtUp(StreamKind.BROADCAST, null))
                        .discardItems())
                .invoke(pages -> finish(client, userSince, pages.getItem1(), broadcastSince, pages.getItem2()))
                .replaceWithVoid();
    }

    /** Only a position asks for a replay; without one (or with a malformed one) the connection starts at the top. */
    private static int replayLimit(Since since) {
        return since instanceof Since.At ? -1 : 0;
    }

    private void finish(
            Client client, Since userSince, History.Page user, Since broadcastSince, History.Page broadcast) {
        List<WireFrame> replay =
                new ArrayList<>(user.payloads().size() + broadcast.payloads().size());
        addReplay(replay, StreamKind.USER, user);
        addReplay(replay, StreamKind.BROADCAST, broadcast);
        StreamState userState = new StreamState(user.epoch(), user.top(), recovered(userSince, user));
        StreamState broadcastState =
                new StreamState(broadcast.epoch(), broadcast.top(), recovered(broadcastSince, broadcast));
        WireFrame welcome = WireFrame.recoveryText(Envelopes.welcome(client.id(), userState, broadcastState));
        if (client.finishRecovery(welcome, replay, userState, broadcastState)) {
            count(userSince, user);
            count(broadcastSince, broadcast);
        }
    }

    /** Recovered: a position was given, and nothing after it is lost. */
    private static boolean recovered(Since since, History.Page page) {
        return since instanceof Since.At && page.recovered();
    }

    private static void addReplay(List<WireFrame> replay, StreamKind stream, History.Page page) {
        long offset = page.from();
        for (String payload : page.payloads()) {
            replay.add(WireFrame.recoveryText(Envelopes.message(stream, page.epoch(), offset++, payload)));
        }
    }

    private void count(Since since, History.Page page) {
        if (since == Since.ABSENT) {
            return;
        }
        metrics.historyRecovered(recovered(since, page));
        metrics.historyReplayed(page.payloads().size());
    }
}
