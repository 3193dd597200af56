package io.devarno.realtime.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** One ordered publishing connection. Publishes are written by one pacer thread; acks arrive asynchronously. */
abstract class PublishLane implements AutoCloseable {

    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    /** Redis PUBLISH answered 0 (no pod subscribed): the message reached nobody. */
    final AtomicLong noReceiver = new AtomicLong();

    final Map<String, AtomicLong> errorReasons = new ConcurrentHashMap<>();

    /** {@code user} null: broadcast. */
    abstract void publish(String user, String payload) throws IOException;

    abstract void flush() throws IOException;

    void error(String reason) {
        errors.incrementAndGet();
        errorReasons.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** A minimal pipelined RESP client: PUBLISH commands written in batches, integer replies counted by a reader thread. */
    static final class Redis extends PublishLane {
        private final Socket socket;
        private final OutputStream out;
        private final String prefix;
        private final Thread reader;
        private volatile boolean closed;

        Redis(URI uri, String channelPrefix, int index) throws IOException {
            this.prefix = channelPrefix;
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379), 5000);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            if (uri.getUserInfo() != null) {
                String info = uri.getUserInfo();
                String user = info.contains(":") ? info.substring(0, info.indexOf(':')) : "";
                String password = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
                if (user.isEmpty()) {
                    command("AUTH", password);
                } else {
                    command("AUTH", user, password);
                }
                out.flush();
                String reply = readLine(in);
                if (!reply.startsWith("+")) {
                    throw new IOException("redis AUTH failed: " + reply);
                }
            }
            reader = new Thread(() -> readReplies(in), "redis-publish-reader-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        void publish(String user, String payload) throws IOException {
            command("PUBLISH", user == null ? prefix + "broadcast" : prefix + "user:" + user, payload);
            sent.incrementAndGet();
        }

        private void command(String... parts) throws IOException {
            out.write(('*' + Integer.toString(parts.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write('\r');
                out.write('\n');
            }
        }

        @Override
        void flush() throws IOException {
            out.flush();
        }

        private void readReplies(InputStream in) {
            try {
                while (!closed) {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    if (line.startsWith(":")) {
                        if (Long.parseLong(line.substring(1)) == 0) {
                            noReceiver.incrementAndGet();
                        }
                    } else {
                        error(line.length() > 60 ? line.substring(0, 60) : line);
                    }
                    acked.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    error("redis connection: " + e.getMessage());
                }
            }
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder(8);
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r') {
                    in.read(); // \n
                    return sb.toString();
                }
                sb.append((char) c);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            closed = true;
            socket.close();
        }
    }

    /**
     * REST publishes over one pipelined HTTP/1.1 connection: requests, and so the server's publishes, stay in order
     * within the lane.
     */
    static final class Rest extends PublishLane {
        private final HttpClient client;
        private final URI base;
        private final Map<String, String> headers;

        Rest(Vertx vertx, URI base, Map<String, String> headers) {
            this.base = base;
            this.headers = headers;
            this.client = vertx.createHttpClient(new HttpClientOptions()
                    .setPipelining(true)
                    .setPipeliningLimit(1024)
                    .setMaxPoolSize(1)
                    .setKeepAlive(true)
                    .setTcpNoDelay(true)
                    .setSsl(base.getScheme().equals("https")));
        }

        @Override
        void publish(String user, String payload) {
            String path = user == null
                    ? "/api/v1/realtime/broadcast"
                    : "/api/v1/realtime/users/" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "/messages";
            RequestOptions o = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost(base.getHost())
                    .setPort(
                            base.getPort() > 0
                                    ? base.getPort()
                                    : (base.getScheme().equals("https") ? 443 : 80))
                    .setURI(path)
                    .setTimeout(30_000);
            headers.forEach(o::addHeader);
            o.addHeader("Content-Type", "text/plain");
            sent.incrementAndGet();
            client.request(o)
                    .compose(req -> req.send(Buffer.buffer(payload)))
                    .compose(resp -> resp.body().map(body -> resp.statusCode()))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            error(ar.cause().getClass().getSimpleName());
                        } else if (ar.result() != 202) {
                            error("http_" + ar.result());
                        }
                        acked.incrementAndGet();
                    });
        }

        @Override
        void flush() {}

        @Override
        public void close() {
            client.close();
        }
    }
}
