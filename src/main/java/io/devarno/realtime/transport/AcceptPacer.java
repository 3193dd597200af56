package io.devarno.realtime.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Paces a connect storm at the listening socket (docs/operations.md#reconnect-storms). Netty's acceptor takes every
 * waiting connection at once and their upgrade requests then arrive together, so that one event-loop turn would
 * read and answer thousands of handshakes while the open connections' deliveries and pongs wait behind them. Here,
 * once {@code realtime.admission.accepts-per-turn} connections have been handed to an event loop that has not yet
 * finished its turn, the listening socket stops accepting until it has. The next clients wait in the kernel's
 * accept queue, which costs the pod nothing, and every turn serves at most that many new connections besides its
 * open ones. Nothing is held per connection: a client that connects and sends nothing does not slow the others.
 *
 * <p>The listening socket has no public handle in Vert.x; it is the parent of every accepted channel, so the pacer
 * puts itself in front of Netty's acceptor when it sees the first request on a listener ({@link #watch}).
 */
@Singleton
public class AcceptPacer {

    private static final Logger LOG = Logger.getLogger(AcceptPacer.class);

    private final int acceptsPerTurn;
    private final RealtimeMetrics metrics;
    /** The listener the pacer sits on; with one HTTP port, a request's check is one comparison. */
    private volatile Channel watched;

    @Inject
    public AcceptPacer(RealtimeConfig config, RealtimeMetrics metrics) {
        this(config.admission().acceptsPerTurn(), metrics);
    }

    AcceptPacer(int acceptsPerTurn, RealtimeMetrics metrics) {
        this.acceptsPerTurn = acceptsPerTurn;
        this.metrics = metrics;
    }

    /** Puts the pacer on the listening socket that accepted this request's connection, once per listener. */
    public void watch(HttpServerRequest request) {
        if (acceptsPerTurn == 0 || !(request.connection() instanceof ConnectionBase connection)) {
            return;
        }
        Channel listener = connection.channel().parent();
        if (listener == null || listener == watched) {
            return;
        }
        pace(listener);
    }

    synchronized void pace(Channel listener) {
        if (listener.pipeline().get(Handler.class) == null) {
            listener.pipeline().addFirst("realtime-accept-pacer", new Handler(listener));
            LOG.debugf("Accepts paced on %s: at most %d per event-loop turn", listener, acceptsPerTurn);
        }
        watched = listener;
    }

    /**
     * Runs on the listener's own event loop (the acceptor), which alone reads and writes the counts; an event loop
     * that ends its turn says so through a task sent back here.
     */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private final Channel listener;
        private final Map<EventLoop, Turn> turns = new HashMap<>();
        private boolean paused;

        Handler(Channel listener) {
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            context.fireChannelRead(message);
            if (!(message instanceof Channel accepted) || !accepted.isOpen()) {
                return;
            }
            EventLoop loop = accepted.eventLoop();
            Turn turn = turns.computeIfAbsent(loop, Turn::new);
            if (turn.accepted++ == 0) {
                loop.execute(turn);
            }
            if (turn.accepted >= acceptsPerTurn && !paused) {
                paused = true;
                listener.config().setAutoRead(false);
                metrics.acceptsPaused();
            }
        }

        private void turnEnded(Turn turn) {
            turn.accepted = 0;
            if (!paused) {
                return;
            }
            for (Turn other : turns.values()) {
                if (other.accepted >= acceptsPerTurn) {
                    return; // another loop is still behind
                }
            }
            paused = false;
            listener.config().setAutoRead(true);
        }

        /**
         * Queued on the accepting event loop behind the registrations of the connections it counts. It ends the turn
         * from the loop's next task phase (a task scheduled now is only taken at the start of a task phase), that is
         * once the loop has also read what those connections sent. Ending it at once would let the acceptor, woken
         * on the same core, hand over the next connections while the loop is still in this task phase, and one
         * iteration would register them all and then read all their upgrade requests at once.
         */
        private final class Turn implements Runnable {
            private final EventLoop loop;
            private final Runnable end = () -> listener.eventLoop().execute(() -> turnEnded(this));
            private int accepted;

            Turn(EventLoop loop) {
                this.loop = loop;
            }

            @Override
            public void run() {
                loop.schedule(end, 0, TimeUnit.NANOSECONDS);
            }
        }
    }
}
