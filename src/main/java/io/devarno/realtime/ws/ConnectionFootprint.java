package io.devarno.realtime.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * websockets-next gives every connection a task queue from Mutiny's {@code Queues.createMpscQueue()}, whose
 * first chunk has {@code mutiny.buffer-size.s} slots (256 by default): about 1 KB per connection, for a queue
 * that holds one or two callbacks at a time. The queue is unbounded either way (it links further chunks), so
 * a small first chunk changes nothing but the memory. Left alone when the system property is set explicitly.
 */
@ApplicationScoped
public class ConnectionFootprint {

    static final String PROPERTY = "mutiny.buffer-size.s";
    static final int QUEUE_CHUNK = 16;

    void onStart(@Observes StartupEvent event) {
        if (System.getProperty(PROPERTY) == null) {
            Infrastructure.setBufferSizeS(QUEUE_CHUNK);
        }
    }
}
