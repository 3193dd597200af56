package io.devarno.realtime.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster (Redis 7, Debian's {@code redis-server}; {@code -Dredis.cluster.server} overrides the binary):
 * 3 masters and 3 replicas on free loopback ports, each in its own directory under {@code target/}, created with
 * {@code redis-cli --cluster create ... --cluster-replicas 1}. Share one per test class: it takes a few seconds.
 */
public final class RedisClusterProcess implements AutoCloseable {

    /** Short, so a killed master is replaced within seconds; long enough not to fail over a node that is merely slow. */
    private static final int NODE_TIMEOUT_MILLIS = 2000;

    private final Map<Integer, Process> nodes = new LinkedHashMap<>();
    private final Path root;

    private RedisClusterProcess(Path root) {
        this.root = root;
    }

    public static RedisClusterProcess start() {
        Path root = Path.of("target", "redis-cluster-" + System.nanoTime()).toAbsolutePath();
        RedisClusterProcess cluster = new RedisClusterProcess(root);
        try {
            for (int i = 0; i < 6; i++) {
                cluster.startNode(RedisProcess.freePort());
            }
            cluster.nodes.keySet().forEach(port -> await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> "PONG".equals(cluster.cli(port).string("PING"))));
            List<String> create = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
            cluster.nodes.keySet().forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            run(create, root.resolve("create.log"));
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startNode(int port) {
        try {
            Path dir = Files.createDirectories(root.resolve(Integer.toString(port)));
            Process process = new ProcessBuilder(
                            redisServer(),
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            "nodes.conf",
                            "--cluster-node-timeout",
                            Integer.toString(NODE_TIMEOUT_MILLIS),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            nodes.put(port, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until every live node says the cluster is ok and every master has a replica connected. */
    public void awaitHealthy() {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    for (int port : livePorts()) {
                        try (RedisCli cli = cli(port)) {
                            if (!cli.string("CLUSTER", "INFO").contains("cluster_state:ok")) {
                                return false;
                            }
                        }
                    }
                    List<Integer> masters = masters();
                    return masters.size() == 3 && masters.stream().allMatch(master -> replicaOf(master) != null);
                });
    }

    /** {@code quarkus.redis.hosts} for the service: every node as a seed. */
    public String hosts() {
        return nodes.keySet().stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    public List<Integer> livePorts() {
        return nodes.entrySet().stream()
                .filter(e -> e.getValue().isAlive())
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The ports of the masters serving slots now, as the cluster sees it. */
    public List<Integer> masters() {
        List<Integer> masters = new ArrayList<>();
        for (String[] node : clusterNodes()) {
            if (node[2].contains("master") && !node[2].contains("fail") && node.length > 8) {
                masters.add(port(node[1]));
            }
        }
        return masters;
    }

    /** The port of a connected replica of the master, or null. */
    public Integer replicaOf(int masterPort) {
        String masterId = null;
        List<String[]> all = clusterNodes();
        for (String[] node : all) {
            if (port(node[1]) == masterPort) {
                masterId = node[0];
            }
        }
        for (String[] node : all) {
            if (node[3].equals(masterId)
                    && node[2].contains("slave")
                    && !node[2].contains("fail")
                    && node[7].equals("connected")) {
                return port(node[1]);
            }
        }
        return null;
    }

    /** The port of the master serving the key's (or shard channel's) slot. */
    public int masterOf(String key) {
        try (RedisCli cli = cli(livePorts().get(0))) {
            long slot = cli.number("CLUSTER", "KEYSLOT", key);
            for (Object range : cli.list("CLUSTER", "SLOTS")) {
                List<?> r = (List<?>) range;
                if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                    return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
                }
            }
        }
        throw new IllegalStateException("no master serves " + key);
    }

    public RedisCli cli(int port) {
        return new RedisCli("127.0.0.1", port);
    }

    /** SIGKILL: the node dies without a word, as a crashed machine would. */
    public void kill(int port) {
        Process process = nodes.get(port);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a killed node again on its port and directory; it rejoins the cluster (as a replica, after a failover). */
    public void restart(int port) {
        startNode(port);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "PONG"
                .equals(cli(port).string("PING")));
    }

    private List<String[]> clusterNodes() {
        try (RedisCli cli = cli(livePorts().get(0))) {
            return cli.string("CLUSTER", "NODES")
                    .lines()
                    .map(line -> line.split(" "))
                    .toList();
        }
    }

    private static int port(String address) {
        // ip:port@busport
        String hostPort = address.split("@")[0];
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static String redisServer() {
        return System.getProperty("redis.cluster.server", "redis-server");
    }

    private static String redisCli() {
        return System.getProperty("redis.cluster.cli", "redis-cli");
    }

    private static void run(List<String> command, Path log) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        nodes.values().forEach(Process::destroyForcibly);
        nodes.values().forEach(process -> {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
