package io.devarno.realtime.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, or the native runner when
 * {@code native.image.path} points at one) started as a separate OS process: one "pod".
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String podId;
    private final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(String podId, int port, Process process, Path log) {
        this.podId = podId;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts a pod against the given Redis with the test settings plus {@code overrides}, and waits until ready. */
    public static ServiceProcess start(String podId, RedisProcess redis, Map<String, String> overrides) {
        ServiceProcess pod = launch(podId, redis, overrides);
        pod.awaitReady(Duration.ofSeconds(30));
        return pod;
    }

    /**
     * Starts a pod without waiting for it (for start-ups that are meant to fail). A free port unless
     * {@code overrides} sets {@code quarkus.http.port} (a restart on the same address).
     */
    public static ServiceProcess launch(String podId, RedisProcess redis, Map<String, String> overrides) {
        return launch(podId, Map.of("quarkus.redis.hosts", redis.uri()), overrides);
    }

    /** Starts a pod on a Redis Cluster ({@code quarkus.redis.client-type=cluster}) and waits until ready. */
    public static ServiceProcess start(String podId, RedisClusterProcess cluster, Map<String, String> overrides) {
        ServiceProcess pod = launch(
                podId,
                Map.of("quarkus.redis.hosts", cluster.hosts(), "quarkus.redis.client-type", "cluster"),
                overrides);
        pod.awaitReady(Duration.ofSeconds(30));
        return pod;
    }

    private static ServiceProcess launch(
            String podId, Map<String, String> redisSettings, Map<String, String> overrides) {
        String fixedPort = overrides.get("quarkus.http.port");
        int port = fixedPort != null ? Integer.parseInt(fixedPort) : RedisProcess.freePort();
        Map<String, String> settings = new HashMap<>();
        settings.put("quarkus.profile", "test");
        settings.putAll(redisSettings);
        settings.put("quarkus.http.port", Integer.toString(port));
        settings.put("realtime.pod-id", podId);
        settings.putAll(overrides);

        List<String> command = new ArrayList<>();
        String nativeImage = System.getProperty("native.image.path");
        boolean isNative = nativeImage != null && new File(nativeImage).canExecute();
        command.add(
                isNative
                        ? nativeImage
                        : Path.of(System.getProperty("java.home"), "bin", "java")
                                .toString());
        if (!isNative) {
            command.add("-Xmx256m");
        }
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!isNative) {
            command.add("-jar");
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar")
                    .toAbsolutePath()
                    .toString());
        }
        try {
            Path log = Path.of("target", "pod-" + podId + "-" + port + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ServiceProcess(podId, port, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "pod " + podId + " exited with " + process.exitValue() + "; log:\n" + log());
            }
            if (get("/q/health/ready").statusCode() == 200) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("pod " + podId + " not ready within " + timeout + "; log:\n" + log());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(http(path)).GET().build());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(http(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new FailedResponse(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI socket() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    public WsClient connect(String userId) {
        return WsClient.connect(socket(), Map.of("X-User-ID", userId));
    }

    public String podId() {
        return podId;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the pod dies without closing anything. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM, as Kubernetes sends it. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; returns its exit status, or -1 if it is still running. */
    public int waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A response standing for "connection refused", so readiness polling can go on. */
    private record FailedResponse(HttpRequest request) implements HttpResponse<String> {
        public int statusCode() {
            return -1;
        }

        public HttpRequest request() {
            return request;
        }

        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        public String body() {
            return "";
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        public URI uri() {
            return request.uri();
        }

        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
