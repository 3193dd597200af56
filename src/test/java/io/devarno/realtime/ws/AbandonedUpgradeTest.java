package io.devarno.realtime.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.auth.AuthResult;
import io.devarno.realtime.auth.ConnectionAuthenticator;
import io.devarno.realtime.auth.JwtAuthenticator;
import io.devarno.realtime.auth.JwtProfile;
import io.devarno.realtime.auth.JwtVerifier;
import io.devarno.realtime.auth.UpgradeRequest;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.TestTokens;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A client that gives up (closes its TCP connection) while its token is still being verified leaves nothing behind:
 * no connection counted, no presence, no user subscription, at once rather than at the pong timeout (issue 23).
 */
@QuarkusTest
@TestProfile(AbandonedUpgradeTest.HeldVerification.class)
@WithRedis
class AbandonedUpgradeTest extends ServiceTestBase {

    /** jwt mode whose verification waits until the test lets it go; a heartbeat far slower than the test. */
    public static class HeldVerification extends JwtProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("realtime.ping-interval", "30s");
            config.put("realtime.pong-timeout", "60s");
            config.put("realtime.presence.ttl", "60s");
            return config;
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(HeldAuthenticator.class);
        }
    }

    /** The real jwt authenticator, held on its worker thread while the test keeps the gate shut. */
    @Alternative
    @Singleton
    static class HeldAuthenticator implements ConnectionAuthenticator {
        private final JwtAuthenticator delegate;
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch gate = new CountDownLatch(0);
        final AtomicInteger accepted = new AtomicInteger();

        HeldAuthenticator(JwtVerifier verifier, RealtimeConfig config) {
            delegate = new JwtAuthenticator(verifier, config.auth().queryToken());
        }

        void hold(int upgrades) {
            entered = new CountDownLatch(upgrades);
            gate = new CountDownLatch(1);
        }

        @Override
        public boolean blocking() {
            return true;
        }

        @Override
        public AuthResult authenticate(UpgradeRequest request) {
            AuthResult result = delegate.authenticate(request);
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (result instanceof AuthResult.Accepted) {
                accepted.incrementAndGet();
            }
            return result;
        }
    }

    @Inject
    HeldAuthenticator authenticator;

    @Inject
    Hub hub;

    @Test
    void aClientThatHangsUpDuringVerificationLeavesNothingBehind() throws Exception {
        String user = uniqueUser("gaveup");
        int acceptedBefore = authenticator.accepted.get();
        authenticator.hold(1);
        try (Socket socket = new Socket(socketUri().getHost(), socketUri().getPort())) {
            sendUpgrade(socket.getOutputStream(), socketUri(), TestTokens.user(user));
            assertTrue(authenticator.entered.await(10, TimeUnit.SECONDS), "the upgrade never reached verification");
        }
        // The pod sees the hang-up while the token is still being verified (its event loop is free meanwhile).
        Thread.sleep(300);
        authenticator.gate.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> authenticator.accepted.get() == acceptedBefore + 1);

        // Well before the pong timeout (60 s here), nothing of the client may remain.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> !hub.hasUser(user)
                        && redis().number("EXISTS", "presence:" + user) == 0
                        && (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + user)
                                        .get(1)
                                == 0);
        assertEquals(0, hub.connectionCount());

        // And the next client of that user is served as usual.
        track(WsClient.connect(socketUri(), Map.of("Authorization", "Bearer " + TestTokens.user(user))));
        awaitKeyPresent("presence:" + user);
        assertEquals(1, hub.connectionCount());
    }

    @Test
    void clientsThatHangUpAsTheirVerificationEndsLeaveNothingBehind() throws Exception {
        int upgrades = 60;
        int acceptedBefore = authenticator.accepted.get();
        for (int round = 0; round < 5; round++) {
            List<String> users = new ArrayList<>();
            List<Socket> sockets = new ArrayList<>();
            authenticator.hold(upgrades);
            for (int i = 0; i < upgrades; i++) {
                String user = uniqueUser("storm" + round + "-" + i);
                Socket socket = new Socket(socketUri().getHost(), socketUri().getPort());
                sendUpgrade(socket.getOutputStream(), socketUri(), TestTokens.user(user));
                users.add(user);
                sockets.add(socket);
            }
            assertTrue(authenticator.entered.await(20, TimeUnit.SECONDS), "the upgrades never reached verification");
            // The hang-ups race the end of the verifications and the upgrades that follow them.
            authenticator.gate.countDown();
            for (Socket socket : sockets) {
                socket.close();
            }
            int verified = acceptedBefore + upgrades * (round + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> authenticator.accepted.get() == verified);
            // Well before the pong timeout (60 s here), nothing of these clients may remain.
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> hub.connectionCount() == 0 && users.stream().noneMatch(hub::hasUser));
            for (String user : users) {
                assertEquals(0, redis().number("EXISTS", "presence:" + user), user);
                assertEquals(
                        0L,
                        redis().list("PUBSUB", "NUMSUB", "realtime:user:" + user)
                                .get(1),
                        user);
            }
        }
    }

    private static void sendUpgrade(OutputStream out, URI uri, String token) throws IOException {
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
