package io.devarno.realtime.support;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) that records every text frame and the close it receives. With
 * {@code reading=false} it reads nothing after the handshake: no pongs, no messages (a dead or slow peer).
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public record Close(int code, String reason) {}

    public record Rejection(int status, String body) {}

    /** Status and headers (names in lower case) of an upgrade response, as sent on the wire. */
    public record Handshake(int status, Map<String, String> headers) {}

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WsClient(boolean reading) {
        this.reading = reading;
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        return connect(uri, headers, List.of(), true);
    }

    public static WsClient connect(URI uri, Map<String, String> headers, List<String> subprotocols, boolean reading) {
        WsClient client = new WsClient(reading);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(
                    subprotocols.get(0),
                    subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        client.socket =
                builder.buildAsync(uri, client).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /** The HTTP status and body of a refused upgrade; fails the test if the upgrade succeeds. */
    public static Rejection reject(URI uri, Map<String, String> headers) {
        return reject(uri, headers, List.of());
    }

    public static Rejection reject(URI uri, Map<String, String> headers, List<String> subprotocols) {
        try {
            WsClient client = connect(uri, headers, subprotocols, true);
            client.close();
            throw new AssertionError("upgrade was accepted");
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                Object body = handshake.getResponse().body();
                return new Rejection(handshake.getResponse().statusCode(), body == null ? "" : body.toString());
            }
            throw e;
        }
    }

    /**
     * Sends an upgrade request over a plain socket and returns the response head. For headers the JDK client
     * does not let a caller set, such as {@code Sec-WebSocket-Extensions}.
     */
    public static Handshake rawHandshake(URI uri, Map<String, String> headers) {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(upgradeRequest(uri, headers));
            BufferedReader response =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            int status = Integer.parseInt(response.readLine().substring(9, 12));
            Map<String, String> responseHeaders = new HashMap<>();
            for (String line = response.readLine(); line != null && !line.isEmpty(); line = response.readLine()) {
                int colon = line.indexOf(':');
                responseHeaders.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            return new Handshake(status, responseHeaders);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Upgrades over a plain socket, sends {@code text} as one masked frame (as a browser sends a message) and
     * returns the close frame the server answers with; {@code 1006} when the connection ends without one.
     */
    public static Close sendOneFrameRaw(URI uri, Map<String, String> headers, String text) {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(upgradeRequest(uri, headers));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int matched = 0; matched < 4; ) { // skip the 101 response head
                int b = in.readUnsignedByte(); // EOFException if the server hangs up first
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            socket.getOutputStream().write(maskedTextFrame(text.getBytes(StandardCharsets.UTF_8)));
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0f;
                int length = in.readUnsignedByte() & 0x7f;
                long payloadLength = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
                byte[] payload = in.readNBytes((int) payloadLength);
                if (opcode == 0x8) {
                    int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                    return new Close(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) { // EOF or reset before a close frame
            return new Close(1006, String.valueOf(e));
        }
    }

    /** The bytes of a WebSocket upgrade request (trusted-header identity goes in {@code headers}). */
    public static byte[] upgradeRequest(URI uri, Map<String, String> headers) {
        StringBuilder request =
                new StringBuilder("GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                        + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        headers.forEach(
                (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        return request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] maskedTextFrame(byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Close(1006, String.valueOf(error)));
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** Starts reading (for a client created with reading=false). */
    public void resumeReading(long frames) {
        socket.request(frames);
    }

    public String next() {
        return next(Duration.ofSeconds(5));
    }

    public String next(Duration timeout) {
        try {
            String message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return message;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Every message received so far, removed from the queue. */
    public List<String> drain() {
        List<String> all = new ArrayList<>();
        messages.drainTo(all);
        return all;
    }

    public Close awaitClose(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Starts a normal close (1000); {@link #awaitClose} then returns the server's answer. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
    }

    /** The subprotocol the server agreed to ("" for none). */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public void abort() {
        socket.abort();
    }
}
