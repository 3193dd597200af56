package io.devarno.realtime.config;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Derives the transport's size limits from the service's settings, so that operators set each value once, in
 * the contract's units ({@code 512K}), and the transport enforces it: the WebSocket server's inbound message
 * and frame limits from {@code realtime.max-client-frame-size}; the HTTP body limit from
 * {@code realtime.max-message-size}. An explicit Quarkus setting still wins.
 */
public class WebSocketLimitsInterceptor implements ConfigSourceInterceptor {

    private static final String MAX_MESSAGE_SIZE = "realtime.max-message-size";
    private static final String MAX_CLIENT_FRAME_SIZE = "realtime.max-client-frame-size";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue explicit = context.proceed(name);
        String source = sourceOf(name);
        if (explicit != null || source == null) {
            return explicit;
        }
        ConfigValue configured = context.proceed(source);
        String size = configured != null && configured.getValue() != null ? configured.getValue() : defaultOf(source);
        long bytes;
        try {
            bytes = new MemorySizeConverter().convert(size).asLongValue();
        } catch (RuntimeException e) {
            return null; // ConfigValidator reports the bad value with the setting's name
        }
        return ConfigValue.builder()
                .withName(name)
                .withValue(Long.toString(bytes))
                .build();
    }

    private static String sourceOf(String name) {
        return switch (name) {
            // A frame or message over the limit is closed with 1009 (transport.ClientFrameDecoder, which replaces
            // the decoder these configure as soon as a connection opens).
            case "quarkus.websockets-next.server.max-message-size", "quarkus.websockets-next.server.max-frame-size" ->
                MAX_CLIENT_FRAME_SIZE;
            case "quarkus.http.limits.max-body-size" -> MAX_MESSAGE_SIZE;
            default -> null;
        };
    }

    /** The defaults of {@link RealtimeConfig}: this interceptor runs before its mapping supplies them. */
    private static String defaultOf(String source) {
        return source.equals(MAX_CLIENT_FRAME_SIZE)
                ? RealtimeConfig.DEFAULT_MAX_CLIENT_FRAME_SIZE
                : RealtimeConfig.DEFAULT_MAX_MESSAGE_SIZE;
    }
}
