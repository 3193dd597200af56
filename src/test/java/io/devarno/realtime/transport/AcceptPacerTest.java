package io.devarno.realtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.metrics.RealtimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * A turn of the accepting event loop is a whole iteration: the listener resumes only once that loop has run the
 * registrations and gone through its next I/O phase, so that one iteration never registers, and the next never
 * reads, more than {@code accepts-per-turn} new connections. Real Netty loops; the listener is a local server
 * channel standing in for the TCP one, whose accepted channels the next handler registers as Netty's acceptor does.
 */
class AcceptPacerTest {

    private final DefaultEventLoopGroup acceptor = new DefaultEventLoopGroup(1);
    private final NioEventLoopGroup workers = new NioEventLoopGroup(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Channel> accepted = new ArrayList<>();
    private Channel listener;

    @BeforeEach
    void listen() throws Exception {
        listener = new LocalServerChannel();
        acceptor.register(listener).sync();
        listener.bind(new LocalAddress("accept-pacer-test")).sync();
        listener.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                workers.register((Channel) message);
            }
        });
        new AcceptPacer(2, new RealtimeMetrics(registry)).pace(listener);
    }

    @AfterEach
    void close() throws Exception {
        accepted.forEach(Channel::close);
        listener.close().sync();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void theListenerResumesOnlyAfterTheWorkerLoopsNextIteration() throws Exception {
        EventLoop worker = workers.next();
        CountDownLatch holdFirst = new CountDownLatch(1);
        worker.execute(() -> await(holdFirst));

        accept(2);
        assertFalse(autoRead(), "2 accepted with 2 per turn: the listener pauses");
        assertEquals(1.0, registry.get("realtime.accepts.paused").counter().count());

        // Queued behind the two registrations and the turn: it runs in the same task phase, after the turn.
        CountDownLatch sameTaskPhase = new CountDownLatch(1);
        CountDownLatch holdSecond = new CountDownLatch(1);
        worker.execute(() -> {
            sameTaskPhase.countDown();
            await(holdSecond);
        });
        holdFirst.countDown();
        assertTrue(sameTaskPhase.await(5, TimeUnit.SECONDS));
        assertTrue(accepted.stream().allMatch(Channel::isRegistered), "the registrations ran before the turn");
        assertFalse(autoRead(), "the worker is still in the task phase that registered them: still paused");

        holdSecond.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!autoRead() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(autoRead(), "the worker's next iteration ended the turn: the listener accepts again");
    }

    @Test
    void fewerThanATurnNeverPauses() throws Exception {
        accept(1);
        assertTrue(autoRead());
        assertEquals(0.0, registry.get("realtime.accepts.paused").counter().count());
    }

    private void accept(int count) throws Exception {
        List<Channel> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new NioSocketChannel());
        }
        accepted.addAll(batch);
        listener.eventLoop()
                .submit(() -> batch.forEach(channel -> listener.pipeline().fireChannelRead(channel)))
                .get(5, TimeUnit.SECONDS);
    }

    private boolean autoRead() throws Exception {
        return listener.eventLoop().submit(() -> listener.config().isAutoRead()).get(5, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
