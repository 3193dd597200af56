package io.devarno.realtime.ws;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Refuses the obsolete per-frame deflate extensions ({@code deflate-frame}, {@code x-webkit-deflate-frame})
 * that Vert.x accepts by default. Like permessage-deflate (off in application.properties), an accepted
 * extension gives the connection its own zlib state on its first frame (~104 KB of RSS measured) for the
 * rest of its life; our frames are small JSON messages.
 */
@ApplicationScoped
public class FrameCompressionOff implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setPerFrameWebSocketCompressionSupported(false);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setPerFrameWebSocketCompressionSupported(false);
    }
}
