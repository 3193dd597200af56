package io.devarno.realtime.presence;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Sends presence writes to Redis at most {@code limit} at a time; the others wait here in arrival order.
 * A burst of closes (a gateway restart drops every tab at once) would otherwise overflow the Redis client's
 * own wait queue and fail, leaving ghost presence until the TTL. Each connection's writes are chained, so at
 * most one per connection waits here: the queue is bounded by the pod's connections.
 */
final class PresenceWriteQueue {

    private final int limit;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Drain requests not yet served; only the thread that raised it from 0 drains, so a write that completes at once never recurses. */
    private final AtomicInteger drainRequests = new AtomicInteger();

    PresenceWriteQueue(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /** Starts {@code write} once fewer than {@code limit} writes are in flight; completes as it does. */
    <T> CompletionStage<T> submit(Supplier<? extends CompletionStage<T>> write) {
        CompletableFuture<T> result = new CompletableFuture<>();
        waiting.add(() -> start(write).whenComplete((value, failure) -> {
            inFlight.decrementAndGet();
            drain();
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }));
        drain();
        return result;
    }

    /** A write that throws instead of failing its stage must still give its slot back, or the queue stops. */
    private static <T> CompletionStage<T> start(Supplier<? extends CompletionStage<T>> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    int waiting() {
        return waiting.size();
    }

    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int requests = 1;
        do {
            while (inFlight.get() < limit) {
                Runnable next = waiting.poll();
                if (next == null) {
                    break;
                }
                inFlight.incrementAndGet();
                next.run();
            }
            requests = drainRequests.addAndGet(-requests);
        } while (requests != 0);
    }
}
