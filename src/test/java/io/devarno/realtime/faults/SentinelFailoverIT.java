package io.devarno.realtime.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.SeveralProcesses;
import io.devarno.realtime.support.WsClient;

import redis.embedded.RedisSentinel;

/** Issue 6: a Sentinel-managed master and replica; the service keeps working after the master dies. */
@SeveralProcesses
class SentinelFailoverIT {

    private RedisProcess master;
    private RedisProcess replica;
    private RedisSentinel sentinel;
    private int sentinelPort;
    private ServiceProcess pod;

    @BeforeEach
    void start() throws IOException {
        master = new RedisProcess().start();
        replica = new RedisProcess().replicaOf(master.port()).start();
        sentinelPort = RedisProcess.freePort();
        sentinel = RedisSentinel.newRedisSentinel()
                .bind("127.0.0.1")
                .port(sentinelPort)
                .masterName("mymaster")
                .masterPort(master.port())
                .quorumSize(1)
                .downAfterMilliseconds(1000)
                .failOverTimeout(3000)
                .build();
        sentinel.start();
        pod = ServiceProcess.start(
                "sentinel-pod",
                master,
                Map.of(
                        "quarkus.redis.client-type", "sentinel",
                        "quarkus.redis.hosts", "redis://127.0.0.1:" + sentinelPort,
                        "quarkus.redis.master-name", "mymaster",
                        "quarkus.redis.role", "master"));
    }

    @AfterEach
    void stop() throws IOException {
        pod.close();
        sentinel.stop();
        replica.stop();
        master.stop();
    }

    private int currentMasterPort() {
        try (RedisCli cli = new RedisCli("127.0.0.1", sentinelPort)) {
            List<Object> address = cli.list("SENTINEL", "get-master-addr-by-name", "mymaster");
            return Integer.parseInt(address.get(1).toString());
        }
    }

    @Test
    void afterAFailoverMessagesAndPresenceWorkOnThePromotedReplica() {
        WsClient tab = pod.connect("sentinel-user");
        try (RedisCli cli = master.cli()) {
            await().until(() -> cli.number("EXISTS", "presence:sentinel-user") == 1);
        }
        assertEquals(
                202,
                pod.post("/api/v1/realtime/users/sentinel-user/messages", "before")
                        .statusCode());
        assertEquals("before", tab.next());

        master.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> currentMasterPort() == replica.port());

        await().atMost(Duration.ofSeconds(15))
                .until(() -> pod.get("/q/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pod.post("/api/v1/realtime/users/sentinel-user/messages", "after")
                                .statusCode()
                        == 202);
        assertEquals("after", tab.next(Duration.ofSeconds(5)));
        try (RedisCli cli = replica.cli()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> cli.number("EXISTS", "presence:sentinel-user") == 1);
            cli.call("PUBLISH", "realtime:user:sentinel-user", "via-new-master");
        }
        assertEquals("via-new-master", tab.next());
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
        tab.abort();
    }
}
