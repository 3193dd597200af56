package io.devarno.realtime.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;

/**
 * The client side: N users x T tabs spread over the instances (tab t of user u goes to instance (u*T+t) mod I),
 * connected at a paced rate, every received frame checked against the per-connection sequence.
 */
final class Fleet {

    /** One WebSocket. Its fields are written only on its event loop; read after {@link #delivered} (a fence). */
    static final class Conn {
        final int user;
        final int tab;
        final int instance;
        volatile WebSocket ws;
        volatile boolean open;
        volatile int closeCode = -1;
        long received;
        long duplicates;
        long reordered;
        long corrupt;
        long lastSeq;
        /** Protocol v2: the user stream's offset of the welcome, then of the latest envelope. */
        long lastOffset = -1;
        /** Protocol v2: envelopes without an offset, or with one not above the tab's previous one. */
        long offsetErrors;

        final BitSet seen = new BitSet();

        Conn(int user, int tab, int instance) {
            this.user = user;
            this.tab = tab;
            this.instance = instance;
        }

        long unique() {
            return seen.cardinality();
        }
    }

    static final String V2_SUBPROTOCOL = "realtime.v2";

    private final BenchOptions options;
    private final Identities identities;
    private final Vertx vertx;
    private final List<WebSocketClient> clients = new ArrayList<>();
    final Conn[] conns;
    final AtomicIntegerArray openTabs;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong connected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final Map<String, AtomicLong> failureReasons = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> closeReasons = new ConcurrentHashMap<>();
    /** Replaced by the storm scenario at each wave, so each wave has its own figures. */
    volatile LatencyHistogram latency = new LatencyHistogram();
    /** Server pings received (the client answers them itself). */
    final AtomicLong pings = new AtomicLong();
    /** Worst latency (us) per second of send time, from latencyFromNanos: shows whether the tail is periodic. */
    final java.util.concurrent.atomic.AtomicLongArray worstPerSecond =
            new java.util.concurrent.atomic.AtomicLongArray(3600);

    volatile long latencyFromNanos = Long.MAX_VALUE;
    private volatile boolean closing;
    long connectNanos;
    final AtomicLong firstOpenNanos = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastOpenNanos = new AtomicLong();
    long attempted;

    Fleet(BenchOptions options, Identities identities, Vertx vertx) {
        this.options = options;
        this.identities = identities;
        this.vertx = vertx;
        int total = options.totalConnections();
        conns = new Conn[total];
        int instances = options.instances.size();
        for (int k = 0; k < total; k++) {
            int user = k / options.tabs;
            int tab = k % options.tabs;
            conns[k] = new Conn(user, tab, (user * options.tabs + tab) % instances);
        }
        openTabs = new AtomicIntegerArray(options.users);
        List<String> sources =
                options.sourceAddresses.isEmpty() ? java.util.Collections.singletonList(null) : options.sourceAddresses;
        for (String source : sources) {
            WebSocketClientOptions o = new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setConnectTimeout((int) (options.connectTimeout * 1000))
                    .setMaxFrameSize(1 << 20)
                    .setMaxMessageSize(1 << 20)
                    .setTcpNoDelay(true)
                    .setReuseAddress(true);
            if (source != null) {
                o.setLocalAddress(source);
            }
            clients.add(vertx.createWebSocketClient(o));
        }
    }

    /** Opens every connection, paced at --connect-rate with at most --max-inflight handshakes; bounded in time. */
    void connectAll() throws InterruptedException {
        int total = conns.length;
        Semaphore inflight = new Semaphore(options.maxInflight);
        long start = System.nanoTime();
        long deadline = start + (long) ((total / options.connectRate + options.connectTimeout + 30) * 1e9);
        long nextReport = start + 5_000_000_000L;
        double perNanos = options.connectRate / 1e9;
        for (int k = 0; k < total; k++) {
            long due = start + (long) (k / perNanos);
            long now;
            while ((now = System.nanoTime()) < due) {
                TimeUnit.NANOSECONDS.sleep(Math.min(due - now, 1_000_000));
            }
            if (now > nextReport) {
                System.out.printf(
                        "  connecting: %d attempted, %d open, %d failed (%.0f conn/s)%n",
                        k, connected.get(), failed.get(), connected.get() / ((now - start) / 1e9));
                nextReport = now + 5_000_000_000L;
            }
            if (!inflight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                System.out.printf("  connect phase deadline reached: %d connections not attempted%n", total - k);
                break;
            }
            attempted++;
            connect(conns[k], clients.get(k % clients.size()), inflight);
        }
        // wait for the handshakes still in flight
        inflight.tryAcquire(
                options.maxInflight, Math.max(0, deadline - System.nanoTime()) + 1_000_000_000L, TimeUnit.NANOSECONDS);
        connectNanos = System.nanoTime() - start;
    }

    private void connect(Conn c, WebSocketClient client, Semaphore inflight) {
        URI uri = options.instances.get(c.instance);
        String user = identities.user(c.user);
        WebSocketConnectOptions o = new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : (uri.getScheme().equals("wss") ? 443 : 80))
                .setSsl(uri.getScheme().equals("wss"))
                .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .setConnectTimeout((long) (options.connectTimeout * 1000))
                .setAllowOriginHeader(false); // a server-side client: no Origin (browsers' origins are checked)
        identities.upgradeHeaders(user).forEach(o::addHeader);
        if (options.v2) {
            o.addSubProtocol(V2_SUBPROTOCOL);
        }
        client.connect(o).onComplete(ar -> {
            if (ar.failed()) {
                failureReasons
                        .computeIfAbsent(reason(ar.cause()), r -> new AtomicLong())
                        .incrementAndGet();
                failed.incrementAndGet();
                inflight.release();
                return;
            }
            WebSocket ws = ar.result();
            long now = System.nanoTime();
            firstOpenNanos.accumulateAndGet(now, Math::min);
            lastOpenNanos.accumulateAndGet(now, Math::max);
            c.ws = ws;
            c.open = true;
            openTabs.incrementAndGet(c.user);
            connected.incrementAndGet();
            ws.handler(buffer -> {
                if (options.v2) {
                    onEnvelope(c, buffer);
                } else {
                    onMessage(c, buffer);
                }
            });
            ws.frameHandler(frame -> {
                if (frame.type() == WebSocketFrameType.PING) {
                    pings.incrementAndGet();
                }
            });
            ws.exceptionHandler(t -> {});
            ws.closeHandler(v -> {
                c.open = false;
                Short code = ws.closeStatusCode();
                c.closeCode = code == null ? 1006 : code;
                openTabs.decrementAndGet(c.user);
                connected.decrementAndGet();
                if (!closing) {
                    if (unexpectedCloses.incrementAndGet() <= 5) {
                        System.out.printf(
                                "  unexpected close: user %s tab %d on %s, code %d '%s', %d frames received%n",
                                identities.user(c.user),
                                c.tab,
                                options.instances.get(c.instance).getRawAuthority(),
                                c.closeCode,
                                ws.closeReason(),
                                c.received);
                    }
                    closeReasons
                            .computeIfAbsent(String.valueOf(c.closeCode), r -> new AtomicLong())
                            .incrementAndGet();
                }
            });
            inflight.release();
        });
    }

    static String reason(Throwable t) {
        if (t instanceof UpgradeRejectedException rejected) {
            return "http_" + rejected.getStatus();
        }
        String msg = t.getMessage() == null ? "" : t.getMessage();
        if (msg.contains("Cannot assign requested address")) {
            return "no_ephemeral_port (use --source-addresses)";
        }
        if (msg.contains("Too many open files")) {
            return "too_many_open_files (raise ulimit -n)";
        }
        if (msg.contains("Connection refused")) {
            return "connection_refused";
        }
        if (msg.toLowerCase().contains("timed out") || msg.toLowerCase().contains("timeout")) {
            return "timeout";
        }
        return t.getClass().getSimpleName()
                + (msg.isEmpty() ? "" : ": " + (msg.length() > 80 ? msg.substring(0, 80) : msg));
    }

    /**
     * Protocol v2: the welcome gives the user stream's starting offset; each message envelope must carry a higher
     * offset than the tab's previous one, and its data is checked like a v1 frame.
     */
    private void onEnvelope(Conn c, Buffer b) {
        JsonObject frame;
        try {
            frame = b.toJsonObject();
        } catch (RuntimeException e) {
            frame = new JsonObject();
        }
        String type = frame.getString("type", "");
        if (type.equals("welcome")) {
            Object offset = frame.getJsonObject("user", new JsonObject()).getValue("offset");
            c.lastOffset = offset instanceof Number n ? n.longValue() : -1;
            return;
        }
        Object offset = frame.getValue("offset");
        Object data = frame.getValue("data");
        if (!type.equals("message") || !(data instanceof String payload)) {
            c.corrupt++;
            c.received++;
            delivered.incrementAndGet();
            return;
        }
        if (offset instanceof Number n && n.longValue() > c.lastOffset) {
            c.lastOffset = n.longValue();
        } else {
            c.offsetErrors++;
        }
        onMessage(c, Buffer.buffer(payload));
    }

    /** Payload: {"type":"bench","s":SEQ,"t":NANOS,"p":"xxx..."} padded to --payload-size. */
    private void onMessage(Conn c, Buffer b) {
        long now = System.nanoTime();
        int len = b.length();
        long seq = 0;
        long sent = 0;
        int i = Payloads.PREFIX.length();
        boolean ok = len == options.payloadSize && len > i && b.getByte(0) == '{';
        while (ok && i < len && b.getByte(i) != ',') {
            byte d = b.getByte(i++);
            ok = d >= '0' && d <= '9';
            seq = seq * 10 + (d - '0');
        }
        i += Payloads.TIME_FIELD.length() + 1; // ,"t":
        while (ok && i < len && b.getByte(i) != ',') {
            byte d = b.getByte(i++);
            ok = d >= '0' && d <= '9';
            sent = sent * 10 + (d - '0');
        }
        if (!ok || seq <= 0 || seq > Integer.MAX_VALUE) {
            c.corrupt++;
            c.received++;
            delivered.incrementAndGet();
            return;
        }
        c.received++;
        int s = (int) seq;
        if (c.seen.get(s)) {
            c.duplicates++;
        } else {
            c.seen.set(s);
            if (seq < c.lastSeq) {
                c.reordered++;
            }
        }
        c.lastSeq = Math.max(c.lastSeq, seq);
        if (sent >= latencyFromNanos) {
            long micros = (now - sent) / 1000;
            latency.record(micros);
            if (options.slowLogMs > 0 && micros > options.slowLogMs * 1000L) {
                System.out.printf(
                        "slow delivery at %d (epoch ms): %.1f ms%n", System.currentTimeMillis(), micros / 1e3);
            }
            int second = (int) Math.min(3599, (sent - latencyFromNanos) / 1_000_000_000L);
            if (micros > worstPerSecond.get(second)) {
                worstPerSecond.accumulateAndGet(second, micros, Math::max);
            }
        }
        delivered.incrementAndGet(); // last: publishes this connection's fields to the reporting thread
    }

    long openCount() {
        long n = 0;
        for (Conn c : conns) {
            if (c.open) {
                n++;
            }
        }
        return n;
    }

    Map<String, Long> perInstanceOpen() {
        Map<String, Long> m = new TreeMap<>();
        for (Conn c : conns) {
            if (c.open) {
                m.merge(options.instances.get(c.instance).getRawAuthority(), 1L, Long::sum);
            }
        }
        return m;
    }

    /** Closes every connection (1000) and waits, bounded, for the closes. */
    void closeAll(double seconds) throws InterruptedException {
        closing = true;
        for (Conn c : conns) {
            WebSocket ws = c.ws;
            if (ws != null && c.open) {
                ws.close();
            }
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (connected.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        for (WebSocketClient client : clients) {
            client.close();
        }
    }
}
