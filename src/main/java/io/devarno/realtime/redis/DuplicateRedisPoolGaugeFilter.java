package io.devarno.realtime.redis;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Drops Micrometer's start-up WARN "This Gauge has been already registered (MeterId{name='redis.pool.queue.size'...".
 * Quarkus 3.33's Redis extension builds the default Vert.x Redis client twice (once for the data source, once for the
 * low-level client beans; {@code RedisClientRecorder} keeps the first and drops the second, which never connects).
 * Each build registers the pool's gauges, so the second registration is refused with that WARN. The
 * {@code redis_pool_*} gauges do describe the client in use (the first). Only that exact line is dropped: a duplicate
 * registration of any other meter is still logged.
 */
@LoggingFilter(name = "duplicate-redis-pool-gauge")
public final class DuplicateRedisPoolGaugeFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        return message == null
                || !"io.micrometer.core.instrument.MeterRegistry".equals(record.getLoggerName())
                || !message.startsWith("This Gauge has been already registered (MeterId{name='redis.pool.");
    }
}
