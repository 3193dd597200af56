package io.devarno.realtime.config;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Derives the WebSocket server's and HTTP server's size limits from {@code realtime.max-message-size}
 * so that operators set one value, in the contract's units ({@code 512K}), and the transport enforces it
 * before a byte is buffered. An explicit Quarkus setting still wins.
 */
public class WebSocketLimitsInterceptor implements ConfigSourceInterceptor {

    private static final String MAX_MESSAGE_SIZE = "realtime.max-message-size";
    private static final String DEFAULT_MAX_MESSAGE_SIZE = "512K";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue explicit = context.proceed(name);
        if (explicit != null || !isDerived(name)) {
            return explicit;
        }
        ConfigValue configured = context.proceed(MAX_MESSAGE_SIZE);
        String size = configured != null && configured.getValue() != null ? configured.getValue() : DEFAULT_MAX_MESSAGE_SIZE;
        long bytes;
        try {
            bytes = new MemorySizeConverter().convert(size).asLongValue();
        } catch (RuntimeException e) {
            return null; // ConfigValidator reports the bad value with the setting's name
        }
        return ConfigValue.builder().withName(name).withValue(Long.toString(bytes)).build();
    }

    private static boolean isDerived(String name) {
        return name.equals("quarkus.websockets-next.server.max-message-size")
                || name.equals("quarkus.websockets-next.server.max-frame-size")
                || name.equals("quarkus.http.limits.max-body-size");
    }
}
