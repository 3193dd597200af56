package io.devarno.realtime.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The storm's clients, one connection per user, over the instances. A wave starts every client at once (or
 * spread), retries a refused upgrade after its {@code Retry-After} (x 1-2, random: what a well-behaved client does)
 * and any other failure after 1-2 s, until every client is connected or the wave times out.
 */
final class StormClients {

    private final BenchOptions options;
    private final Identities identities;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final WebSocket[] sockets;

    StormClients(BenchOptions options, Identities identities, Vertx vertx) {
        this.options = options;
        this.identities = identities;
        this.sockets = new WebSocket[options.users];
        List<String> sources =
                options.sourceAddresses.isEmpty() ? java.util.Collections.singletonList(null) : options.sourceAddresses;
        for (String source : sources) {
            WebSocketClientOptions o = new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setConnectTimeout((int) (options.connectTimeout * 1000))
                    .setTcpNoDelay(true)
                    .setReuseAddress(true);
            if (source != null) {
                o.setLocalAddress(source);
            }
            clients.add(vertx.createWebSocketClient(o));
        }
    }

    List<String> userIds() {
        List<String> ids = new ArrayList<>(options.users);
        for (int k = 0; k < options.users; k++) {
            ids.add(identities.user(k));
        }
        return ids;
    }

    record Wave(
            long connected,
            long allConnectedNanos,
            long attempts,
            Map<String, Long> refusedByStatus,
            Map<String, Long> failures,
            LatencyHistogram upgradeLatency,
            LatencyHistogram timeToConnected) {}

    /** One attempt of client {@code index}, due at {@code dueNanos}. */
    private record Attempt(int index, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Attempt) other).dueNanos);
        }
    }

    Wave connectAll(double spreadSeconds, double timeoutSeconds) throws InterruptedException {
        int total = options.users;
        DelayQueue<Attempt> due = new DelayQueue<>();
        Semaphore inflight = new Semaphore(options.maxInflight);
        AtomicLong connected = new AtomicLong();
        AtomicLong attempts = new AtomicLong();
        AtomicLong lastOpen = new AtomicLong();
        Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        LatencyHistogram upgrade = new LatencyHistogram();
        LatencyHistogram timeToConnected = new LatencyHistogram();
        long start = System.nanoTime();
        long deadline = start + (long) (timeoutSeconds * 1e9);
        for (int k = 0; k < total; k++) {
            due.add(new Attempt(k, start + (long) (spreadSeconds * 1e9 * k / total)));
        }
        long nextReport = start + 5_000_000_000L;
        while (connected.get() < total && System.nanoTime() < deadline) {
            Attempt attempt = due.poll(100, TimeUnit.MILLISECONDS);
            if (System.nanoTime() > nextReport) {
                System.out.printf(
                        "  %.0f s: %d connected, %d attempts, refused %s%n",
                        (System.nanoTime() - start) / 1e9, connected.get(), attempts.get(), counts(refused));
                nextReport += 5_000_000_000L;
            }
            if (attempt == null) {
                continue;
            }
            if (!inflight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            attempts.incrementAndGet();
            int k = attempt.index();
            long attemptStart = System.nanoTime();
            clients.get(k % clients.size()).connect(connectOptions(k)).onComplete(ar -> {
                inflight.release();
                long now = System.nanoTime();
                if (ar.succeeded()) {
                    sockets[k] = ar.result();
                    ar.result().exceptionHandler(t -> {});
                    upgrade.record((now - attemptStart) / 1000);
                    timeToConnected.record((now - start) / 1000);
                    lastOpen.accumulateAndGet(now, Math::max);
                    connected.incrementAndGet();
                    return;
                }
                double retryAfter = 1;
                if (ar.cause() instanceof UpgradeRejectedException rejected) {
                    refused.computeIfAbsent("http_" + rejected.getStatus(), s -> new AtomicLong())
                            .incrementAndGet();
                    retryAfter = retryAfterSeconds(rejected);
                } else {
                    failures.computeIfAbsent(Fleet.reason(ar.cause()), s -> new AtomicLong())
                            .incrementAndGet();
                }
                double delay = retryAfter * (1 + ThreadLocalRandom.current().nextDouble());
                due.add(new Attempt(k, now + (long) (delay * 1e9)));
            });
        }
        // handshakes still in flight when the wave ended
        inflight.tryAcquire(
                options.maxInflight, (long) (options.connectTimeout * 1e9) + 1_000_000_000L, TimeUnit.NANOSECONDS);
        inflight.release(options.maxInflight);
        long all = connected.get() == total ? lastOpen.get() - start : -1;
        return new Wave(
                connected.get(), all, attempts.get(), counts(refused), counts(failures), upgrade, timeToConnected);
    }

    private static double retryAfterSeconds(UpgradeRejectedException rejected) {
        String value =
                rejected.getHeaders() == null ? null : rejected.getHeaders().get("Retry-After");
        try {
            return value == null ? 1 : Math.max(0.1, Double.parseDouble(value.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private WebSocketConnectOptions connectOptions(int k) {
        URI uri = options.instances.get(k % options.instances.size());
        WebSocketConnectOptions o = new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : 80)
                .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .setConnectTimeout((long) (options.connectTimeout * 1000))
                .setAllowOriginHeader(false);
        identities.upgradeHeaders(identities.user(k)).forEach(o::addHeader);
        return o;
    }

    /** Closes every connection (1000) and forgets it. */
    void closeAll(double seconds) throws InterruptedException {
        for (int k = 0; k < sockets.length; k++) {
            WebSocket ws = sockets[k];
            sockets[k] = null;
            if (ws != null && !ws.isClosed()) {
                ws.close();
            }
        }
        Thread.sleep((long) Math.min(1000, seconds * 1000));
    }

    private static Map<String, Long> counts(Map<String, AtomicLong> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
