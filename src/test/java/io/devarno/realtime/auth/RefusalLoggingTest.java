package io.devarno.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.TestTokens;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Refused upgrades are logged with their precise reason (docs/security.md#when-a-token-or-origin-is-refused): a
 * configuration mistake at INFO, an expired token at DEBUG, a burst as one line. Its own profile, so no other test's
 * refusals share the log's rate-limit windows.
 */
@QuarkusTest
@TestProfile(RefusalLoggingTest.Profile.class)
@WithRedis
class RefusalLoggingTest extends ServiceTestBase {

    public static class Profile extends JwtProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("realtime.allowed-origins", "https://app.example.com");
            config.put("quarkus.log.category.\"io.devarno.realtime.auth.RefusalLog\".level", "DEBUG");
            return config;
        }
    }

    private int status(String token) {
        return WsClient.reject(socketUri(), Map.of("Authorization", "Bearer " + token))
                .status();
    }

    @Test
    void aTokenWithoutIatIsOneInfoLineNamingTheClaim() {
        try (LogCapture capture = new LogCapture()) {
            assertEquals(401, status(TestTokens.withoutIssuedAt(uniqueUser("noiat"))));
            List<String> lines = capture.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(
                    lines.get(0).startsWith("INFO upgrade refused (401 unauthorized): token refused: ")
                            && lines.get(0).contains("(iat)"),
                    lines.toString());
        }
    }

    @Test
    void aBurstOfFiftyTokensFromAnotherIssuerIsOneLine() {
        try (LogCapture capture = new LogCapture()) {
            for (int i = 0; i < 50; i++) {
                assertEquals(401, status(TestTokens.withIssuer("burst", "https://other-issuer.test/" + i)));
            }
            List<String> lines = capture.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(
                    lines.get(0).startsWith("INFO ")
                            && lines.get(0).contains("Issuer (iss)")
                            && lines.get(0).contains(TestTokens.ISSUER),
                    lines.toString());
        }
    }

    @Test
    void aTokenJustPastItsExpIsADebugLine() {
        try (LogCapture capture = new LogCapture()) {
            assertEquals(
                    401,
                    status(TestTokens.issuedAt(
                            uniqueUser("late"),
                            Instant.now().minusSeconds(600),
                            Instant.now().minusSeconds(30))));
            List<String> lines = capture.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(
                    lines.get(0)
                            .startsWith(
                                    "DEBUG upgrade refused (401 unauthorized): token refused: the token expired at "),
                    lines.toString());
        }
    }

    @Test
    void anUnlistedOriginIsAnInfoLineNamingTheOrigin() {
        try (LogCapture capture = new LogCapture()) {
            WsClient.Rejection rejection = WsClient.reject(
                    socketUri(),
                    Map.of("Origin", "http://localhost:5173", "Authorization", "Bearer " + TestTokens.user("o")));
            assertEquals(403, rejection.status());
            assertEquals(
                    List.of("INFO upgrade refused: Origin 'http://localhost:5173' is not in "
                            + "realtime.allowed-origins (https://app.example.com)"),
                    capture.lines());
        }
    }

    @Test
    void aGatewayUserThatDiffersFromTheTokenIsAnInfoLine() {
        try (LogCapture capture = new LogCapture()) {
            assertEquals(
                    403,
                    WsClient.reject(
                                    socketUri(),
                                    Map.of(
                                            "X-User-ID",
                                            "mallory",
                                            "Authorization",
                                            "Bearer " + TestTokens.user("alice")))
                            .status());
            assertEquals(1, capture.lines().size(), capture.lines().toString());
            assertTrue(
                    capture.lines().get(0).startsWith("INFO upgrade refused (403 user_mismatch): "),
                    capture.lines().toString());
        }
    }
}
