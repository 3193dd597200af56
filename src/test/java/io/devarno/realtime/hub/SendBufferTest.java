package io.devarno.realtime.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.transport.ChannelTransport;
import io.devarno.realtime.transport.WireFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * The slow-consumer rule on a real Netty channel whose socket can stop taking data: a message is refused once
 * {@code send-buffer} messages or {@code send-buffer-bytes} bytes wait unwritten, whether or not they were flushed.
 */
class SendBufferTest {

    private static final String KB_60 = "x".repeat(60 * 1024);

    /** true: like a socket whose peer stopped reading, a flush writes nothing. */
    private boolean peerStalled = true;

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter()) {
        @Override
        protected void doWrite(ChannelOutboundBuffer unwritten) throws Exception {
            if (!peerStalled) {
                super.doWrite(unwritten);
            }
        }
    };
    private final Client client = new Client(
            new ChannelTransport(connection("c1"), channel.pipeline().firstContext(), null),
            "u1",
            "pod-a",
            OptionalLong.empty(),
            closed -> {});

    @AfterEach
    void releaseQueuedFrames() {
        peerStalled = false;
        channel.flush(); // closing with frames still queued would fail their writes
        channel.finishAndReleaseAll();
    }

    @Test
    void aMessageFindingSendBufferBytesWaitingIsRefusedBeforeTheMessageCountIsReached() {
        SendBuffer buffer = new SendBuffer(256, 100_000);
        assertEquals(Client.WriteResult.FIRST_IN_BATCH, client.write(WireFrame.text(KB_60), buffer));
        assertEquals(Client.WriteResult.WRITTEN, client.write(WireFrame.text(KB_60), buffer));
        assertEquals(Client.WriteResult.OVERFLOW, client.write(WireFrame.text(KB_60), buffer));
    }

    @Test
    void aMessageLargerThanSendBufferBytesIsAcceptedWhenNothingWaits() {
        SendBuffer buffer = new SendBuffer(256, 1_000);
        assertEquals(Client.WriteResult.FIRST_IN_BATCH, client.write(WireFrame.text(KB_60), buffer));
        assertEquals(Client.WriteResult.OVERFLOW, client.write(WireFrame.text("small"), buffer));
    }

    @Test
    void aMessageFindingSendBufferMessagesWaitingIsRefused() {
        SendBuffer buffer = new SendBuffer(3, 1_000_000);
        for (int i = 0; i < 3; i++) {
            client.write(WireFrame.text("m" + i), buffer);
        }
        assertEquals(Client.WriteResult.OVERFLOW, client.write(WireFrame.text("m3"), buffer));
    }

    @Test
    void aBatchLargerThanTheSendBufferIsFlushedToASocketThatTakesIt() {
        peerStalled = false;
        SendBuffer buffer = new SendBuffer(3, 1_000_000);
        for (int i = 0; i < 10; i++) {
            assertNotEquals(Client.WriteResult.OVERFLOW, client.write(WireFrame.text("m" + i), buffer));
        }
        client.flush();
        for (int i = 0; i < 10; i++) {
            ByteBuf frame = channel.readOutbound();
            assertEquals(
                    "m" + i,
                    frame.toString(2, frame.readableBytes() - 2, StandardCharsets.UTF_8),
                    "after the 2-byte header");
            frame.release();
        }
    }

    @Test
    void flushedMessagesTheSocketDidNotTakeStillCount() {
        SendBuffer buffer = new SendBuffer(3, 1_000_000);
        client.write(WireFrame.text("m0"), buffer);
        client.write(WireFrame.text("m1"), buffer);
        client.flush();
        client.write(WireFrame.text("m2"), buffer);
        assertEquals(Client.WriteResult.OVERFLOW, client.write(WireFrame.text("m3"), buffer));
    }

    @Test
    void heartbeatPingsAreNeverRefused() {
        SendBuffer buffer = new SendBuffer(1, 1_000);
        client.write(WireFrame.text(KB_60), buffer);
        assertEquals(Client.WriteResult.WRITTEN, client.write(WireFrame.ping(), buffer));
    }

    @Test
    void framesWrittenToTheSocketNoLongerCount() {
        SendBuffer buffer = new SendBuffer(256, 100_000);
        client.write(WireFrame.text(KB_60), buffer);
        client.write(WireFrame.text(KB_60), buffer);
        peerStalled = false;
        client.flush(); // the socket takes everything flushed
        assertEquals(Client.WriteResult.FIRST_IN_BATCH, client.write(WireFrame.text(KB_60), buffer));
    }

    private static WebSocketConnection connection(String id) {
        return (WebSocketConnection) Proxy.newProxyInstance(
                SendBufferTest.class.getClassLoader(),
                new Class<?>[] {WebSocketConnection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "isOpen" -> true;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
