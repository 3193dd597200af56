package io.devarno.realtime.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.WithTestResource;

/**
 * The application under test ({@code @QuarkusTest} or {@code @QuarkusIntegrationTest}) talks to a real
 * redis-server started for it ({@link RedisTestResource}); {@code test.redis.port} names its port.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RedisTestResource.class)
public @interface WithRedis {}
