package io.devarno.realtime.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A blocking RESP client for the few checks the generator makes in Redis (ghost presence after a storm). */
final class RedisProbe implements AutoCloseable {

    private static final int PIPELINE = 1000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RedisProbe(URI uri) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379), 5000);
        socket.setSoTimeout(10_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        if (uri.getUserInfo() != null) {
            String info = uri.getUserInfo();
            int colon = info.indexOf(':');
            if (colon > 0) {
                command("AUTH", info.substring(0, colon), info.substring(colon + 1));
            } else {
                command("AUTH", colon == 0 ? info.substring(1) : info);
            }
            out.flush();
            String reply = readLine();
            if (!reply.startsWith("+")) {
                throw new IOException("redis AUTH failed: " + reply);
            }
        }
    }

    /** How many of {@code prefix + id} exist, pipelined {@code EXISTS} one key at a time (works on a cluster node too). */
    long countExisting(String prefix, List<String> ids) throws IOException {
        long existing = 0;
        for (int from = 0; from < ids.size(); from += PIPELINE) {
            int to = Math.min(ids.size(), from + PIPELINE);
            for (int i = from; i < to; i++) {
                command("EXISTS", prefix + ids.get(i));
            }
            out.flush();
            for (int i = from; i < to; i++) {
                String reply = readLine();
                if (!reply.startsWith(":")) {
                    throw new IOException("EXISTS answered " + reply);
                }
                existing += Long.parseLong(reply.substring(1));
            }
        }
        return existing;
    }

    private void command(String... parts) throws IOException {
        out.write(('*' + Integer.toString(parts.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(8);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("redis closed the connection");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
