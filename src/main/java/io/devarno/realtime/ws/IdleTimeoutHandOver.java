package io.devarno.realtime.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Once a WebSocket is open, the heartbeat decides when it is dead ({@code ping-interval}, {@code pong-timeout}),
 * so the HTTP server's idle timeout comes off its channel. Left on, it would drop a quiet tab without a close
 * frame ({@code 1006}) whenever {@code quarkus.http.idle-timeout} is not longer than {@code ping-interval}, and
 * it keeps a timer per connection (~200 B, rescheduled every timeout). Upgrades that never complete and plain
 * HTTP connections keep it.
 */
final class IdleTimeoutHandOver {

    private IdleTimeoutHandOver() {
    }

    static void toHeartbeat(ChannelHandlerContext channel) {
        ChannelPipeline pipeline = channel.pipeline();
        IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
        if (idle != null) {
            pipeline.remove(idle);
        }
    }
}
