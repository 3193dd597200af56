package io.devarno.realtime.support;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real redis-server for the application under test (in-process or packaged) and points the
 * service at it. The service's test settings are the {@code %test} profile of application.properties.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static RedisProcess redis;

    @Override
    public Map<String, String> start() {
        redis = new RedisProcess().start();
        System.setProperty("test.redis.port", Integer.toString(redis.port()));
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.redis.hosts", redis.uri());
        return config;
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.stop();
        }
    }

    public static RedisProcess redis() {
        return redis;
    }
}
