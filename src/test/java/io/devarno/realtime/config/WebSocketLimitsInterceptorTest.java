package io.devarno.realtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;

/** The transport's limits follow the service's settings, and their defaults, which RealtimeConfig declares once. */
class WebSocketLimitsInterceptorTest {

    private static final String SERVER_MESSAGE = "quarkus.websockets-next.server.max-message-size";
    private static final String SERVER_FRAME = "quarkus.websockets-next.server.max-frame-size";
    private static final String BODY = "quarkus.http.limits.max-body-size";

    @Test
    void withNothingSetTheTransportGetsTheDefaultsDeclaredOnRealtimeConfig() throws Exception {
        SmallRyeConfig config = config(Map.of());

        assertEquals(bytes(declaredDefault("maxClientFrameSize")), config.getValue(SERVER_MESSAGE, String.class));
        assertEquals(bytes(declaredDefault("maxClientFrameSize")), config.getValue(SERVER_FRAME, String.class));
        assertEquals(bytes(declaredDefault("maxMessageSize")), config.getValue(BODY, String.class));
    }

    @Test
    void theServiceSettingsSetTheTransportLimitsInBytes() {
        SmallRyeConfig config =
                config(Map.of("realtime.max-client-frame-size", "8K", "realtime.max-message-size", "1M"));

        assertEquals("8192", config.getValue(SERVER_MESSAGE, String.class));
        assertEquals("8192", config.getValue(SERVER_FRAME, String.class));
        assertEquals("1048576", config.getValue(BODY, String.class));
    }

    @Test
    void anExplicitQuarkusSettingStillWins() {
        SmallRyeConfig config = config(Map.of(
                "realtime.max-message-size",
                "1M",
                "realtime.max-client-frame-size",
                "8K",
                BODY,
                "2048",
                SERVER_FRAME,
                "4096"));

        assertEquals("2048", config.getValue(BODY, String.class));
        assertEquals("4096", config.getValue(SERVER_FRAME, String.class));
        assertEquals("8192", config.getValue(SERVER_MESSAGE, String.class));
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withInterceptors(new WebSocketLimitsInterceptor())
                .build();
    }

    private static String declaredDefault(String setting) throws NoSuchMethodException {
        return RealtimeConfig.class
                .getMethod(setting)
                .getAnnotation(WithDefault.class)
                .value();
    }

    private static String bytes(String size) {
        return Long.toString(new MemorySizeConverter().convert(size).asLongValue());
    }
}
