package io.devarno.realtime.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The (S)SUBSCRIBE commands of one pub/sub connection that Redis has not confirmed yet, per channel. Redis confirms
 * each after it has processed it, and sends the messages published before that first. A waiter completes once every
 * SUBSCRIBE of its channel written up to then, its own included, is confirmed: from then on the channel is
 * subscribed, and every message published to it before the waiter's SUBSCRIBE has arrived. Counting, rather than
 * matching each confirmation to its command, holds whatever order commands from several threads reach the socket in.
 * Entries exist only while a confirmation is outstanding.
 */
final class SubscribeConfirmations {

    private static final class Pending {
        int outstanding;
        final List<CompletableFuture<Void>> waiters = new ArrayList<>(1);
    }

    private final Map<String, Pending> pending = new HashMap<>();
    private boolean closed;

    /** Called just before a SUBSCRIBE of {@code channel} is written; {@code waiter} (may be null) completes as above. */
    synchronized void expect(String channel, CompletableFuture<Void> waiter) {
        if (closed) {
            if (waiter != null) {
                waiter.completeExceptionally(lost());
            }
            return;
        }
        Pending entry = pending.computeIfAbsent(channel, c -> new Pending());
        entry.outstanding++;
        if (waiter != null) {
            entry.waiters.add(waiter);
        }
    }

    /** A confirmation of {@code channel} arrived. */
    void confirmed(String channel) {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            Pending entry = pending.get(channel);
            if (entry == null || --entry.outstanding > 0) {
                return;
            }
            pending.remove(channel);
            done = entry.waiters;
        }
        done.forEach(waiter -> waiter.complete(null));
    }

    /** The connection is gone: nothing will be confirmed any more. */
    void close() {
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        synchronized (this) {
            closed = true;
            pending.values().forEach(entry -> waiting.addAll(entry.waiters));
            pending.clear();
        }
        waiting.forEach(waiter -> waiter.completeExceptionally(lost()));
    }

    private static BrokerUnavailableException lost() {
        return new BrokerUnavailableException("the pub/sub connection was lost", null);
    }
}
