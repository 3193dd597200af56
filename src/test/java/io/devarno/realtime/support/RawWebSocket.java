package io.devarno.realtime.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A WebSocket client over a plain socket that sends exactly the bytes a test writes, including frames no real
 * client would send (unmasked, reserved opcodes or bits, invalid UTF-8), and reads what the server answers.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    public static final int FIN = 0x80;
    public static final int RSV1 = 0x40;

    /** A frame the server sent. */
    public record Frame(int opcode, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        public String closeReason() {
            return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    /** How the server ended the connection: its close frame (null if none), whether TCP then closed cleanly. */
    public record Ending(Frame close, List<Frame> before, String transport) {

        public int code() {
            return close == null ? 1006 : close.closeCode();
        }
    }

    private final Socket socket;
    private final DataInputStream in;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades with {@code headers}; fails unless the server answers 101. */
    public static RawWebSocket open(URI uri, Map<String, String> headers) {
        try {
            Socket socket = new Socket(uri.getHost(), uri.getPort());
            socket.setSoTimeout(10_000);
            StringBuilder request =
                    new StringBuilder("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                            + uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
            headers.forEach((name, value) ->
                    request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            RawWebSocket client = new RawWebSocket(socket);
            String head = client.readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new AssertionError("upgrade refused: " + head);
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A refused upgrade as it came over the wire, and whether the server then closed the TCP connection. */
    public record Refusal(int status, Map<String, String> headers, String body, String afterBody) {}

    /**
     * Sends an upgrade that the server is expected to refuse; reads the status, headers and body, then waits up to
     * 3 s for the server to close the connection: {@code afterBody} is "eof", "reset" or "open".
     */
    public static Refusal refused(URI uri, Map<String, String> headers) {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(
                    "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                            + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
            headers.forEach((name, value) ->
                    request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            RawWebSocket client = new RawWebSocket(socket);
            String[] head = client.readHead().split("\r\n");
            Map<String, String> responseHeaders = new java.util.HashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (colon > 0) {
                    responseHeaders.put(
                            head[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                            head[i].substring(colon + 1).trim());
                }
            }
            int length = Integer.parseInt(responseHeaders.getOrDefault("content-length", "0"));
            String body = new String(client.in.readNBytes(length), StandardCharsets.UTF_8);
            socket.setSoTimeout(3000);
            String afterBody;
            try {
                afterBody = client.in.read() < 0 ? "eof" : "more bytes";
            } catch (SocketTimeoutException e) {
                afterBody = "open";
            } catch (IOException e) {
                afterBody = "reset";
            }
            return new Refusal(Integer.parseInt(head[0].substring(9, 12)), responseHeaders, body, afterBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int matched = 0; matched < 4; ) {
            int b = in.readUnsignedByte();
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A masked frame: {@code first} is FIN, RSV and opcode bits, as on the wire. */
    public static byte[] frame(int first, byte[] payload) {
        return frame(first, payload, true);
    }

    public static byte[] frame(int first, byte[] payload, boolean masked) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(first);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(mask | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(mask | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        if (!masked) {
            frame.writeBytes(payload);
            return frame.toByteArray();
        }
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        frame.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ key[i % 4]);
        }
        return frame.toByteArray();
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A close frame's payload: the code, then the reason. */
    public static byte[] closePayload(int code, String reason) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(code >> 8);
        payload.write(code & 0xff);
        payload.writeBytes(utf8(reason));
        return payload.toByteArray();
    }

    public RawWebSocket send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame from the server; fails on a timeout or the end of the connection. */
    public Frame next() {
        try {
            return readFrame();
        } catch (IOException e) {
            throw new AssertionError("no frame from the server", e);
        }
    }

    /** The next frame of {@code opcode}, skipping others (pings of the heartbeat, say). */
    public Frame next(int opcode) {
        for (int i = 0; i < 100; i++) {
            Frame frame = next();
            if (frame.opcode() == opcode) {
                return frame;
            }
        }
        throw new AssertionError("no frame with opcode " + opcode);
    }

    private Frame readFrame() throws IOException {
        int opcode = in.readUnsignedByte() & 0x0f;
        int length = in.readUnsignedByte() & 0x7f;
        long payloadLength = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        return new Frame(opcode, in.readNBytes((int) payloadLength));
    }

    /**
     * Reads until the server's close frame, answers it, and reads until the end of the TCP connection.
     * {@code transport} says how the connection ended after the close frame: "eof" (a clean TCP close), "reset", or "open" (still open after 5 s).
     */
    public Ending awaitEnding() {
        List<Frame> before = new ArrayList<>();
        Frame close = null;
        try {
            while (close == null) {
                Frame frame = readFrame();
                if (frame.opcode() == CLOSE) {
                    close = frame;
                } else {
                    before.add(frame);
                }
            }
        } catch (IOException e) {
            return new Ending(null, before, e instanceof EOFException ? "eof" : "reset: " + e);
        }
        try {
            // as a real client does; the server may already have stopped reading
            socket.getOutputStream()
                    .write(frame(FIN | CLOSE, Arrays.copyOf(close.payload(), Math.min(2, close.payload().length))));
        } catch (IOException e) {
            // the server closed first
        }
        try {
            socket.setSoTimeout(5000);
            while (true) {
                if (in.read() < 0) {
                    return new Ending(close, before, "eof");
                }
            }
        } catch (SocketTimeoutException e) {
            return new Ending(close, before, "open");
        } catch (IOException e) {
            return new Ending(close, before, "reset: " + e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
