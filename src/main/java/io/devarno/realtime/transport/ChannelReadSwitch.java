package io.devarno.realtime.transport;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;

/** Pauses reads through Netty's auto-read flag: while it is off, what the peer sends waits in the socket. */
public final class ChannelReadSwitch implements ReadSwitch {

    private final Channel channel;

    public ChannelReadSwitch(Channel channel) {
        this.channel = channel;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public boolean onOwnThread() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public void pause(long nanos, Runnable resumed) {
        channel.config().setAutoRead(false);
        channel.eventLoop()
                .schedule(
                        () -> {
                            resumed.run();
                            channel.config().setAutoRead(true);
                        },
                        nanos,
                        TimeUnit.NANOSECONDS);
    }
}
