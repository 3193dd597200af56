package io.devarno.realtime.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.TestTokens;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** docs/security.md in jwt mode, and the REST API's authorization (docs/protocol.md#rest-api). */
@QuarkusTest
@TestProfile(JwtProfile.class)
@WithRedis
class JwtAuthTest extends ServiceTestBase {

    private WsClient connectWithBearer(String token) {
        return track(WsClient.connect(socketUri(), Map.of("Authorization", "Bearer " + token)));
    }

    private int rejectionStatus(Map<String, String> headers) {
        return WsClient.reject(socketUri(), headers).status();
    }

    @Test
    void aValidBearerTokenConnectsAsItsSubject() {
        String user = uniqueUser("jwt");
        connectWithBearer(TestTokens.user(user));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aBrowserMayCarryTheTokenInTheWebSocketSubprotocolHeader() {
        String user = uniqueUser("browser");
        String carrier = URLEncoder.encode(
                        "quarkus-http-upgrade#Authorization#Bearer " + TestTokens.user(user), StandardCharsets.UTF_8)
                .replace("+", "%20");
        WsClient tab = track(WsClient.connect(socketUri(), Map.of(), List.of("bearer-token-carrier", carrier), true));
        assertEquals("bearer-token-carrier", tab.subprotocol());
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aMissingTokenGets401() {
        WsClient.Rejection rejection = WsClient.reject(socketUri(), Map.of());
        assertEquals(401, rejection.status());
        assertTrue(rejection.body().contains("\"error\":\"unauthorized\""), rejection.body());
    }

    @Test
    void trustedHeadersAloneAreNotEnoughInJwtMode() {
        assertEquals(401, rejectionStatus(Map.of("X-User-ID", "mallory")));
    }

    @Test
    void aMalformedTokenGets401() {
        assertEquals(401, rejectionStatus(Map.of("Authorization", "Bearer not.a.jwt")));
        assertEquals(401, rejectionStatus(Map.of("Authorization", "Bearer ")));
        assertEquals(401, rejectionStatus(Map.of("Authorization", "Basic dXNlcjpwYXNz")));
    }

    @Test
    void aTokenSignedByAnotherKeyGets401() {
        assertEquals(401, rejectionStatus(Map.of("Authorization", "Bearer " + TestTokens.forged("mallory"))));
    }

    @Test
    void anExpiredTokenGets401() {
        String expired = TestTokens.token("late", Set.of(), Instant.now().minusSeconds(3600));
        assertEquals(401, rejectionStatus(Map.of("Authorization", "Bearer " + expired)));
    }

    @Test
    void aTokenJustPastItsExpGets401LikeAnyExpiredToken() {
        // a token past its exp never opens a connection that the heartbeat would close with 4001 at its first tick,
        // although smallrye-jwt alone allows 60 s of clock skew (iat before exp: only exp is wrong)
        String expired = TestTokens.issuedAt(
                uniqueUser("skew"),
                Instant.now().minusSeconds(600),
                Instant.now().minusSeconds(30));
        assertEquals(
                401,
                WsClient.reject(socketUri(), Map.of("Authorization", "Bearer " + expired))
                        .status());
    }

    @Test
    void aTokenFromAnotherIssuerGets401() {
        assertEquals(
                401,
                rejectionStatus(Map.of("Authorization", "Bearer " + TestTokens.withIssuer("x", "https://other.test"))));
    }

    @Test
    void theQueryTokenIsRefusedUnlessEnabled() {
        WsClient.Rejection rejection = WsClient.reject(socketUri("?access_token=" + TestTokens.user("q")), Map.of());
        assertEquals(401, rejection.status());
    }

    @Test
    void aGatewayUserIdThatDiffersFromTheSubjectGets403() {
        WsClient.Rejection rejection = WsClient.reject(
                socketUri(), Map.of("Authorization", "Bearer " + TestTokens.user("alice"), "X-User-ID", "bob"));
        assertEquals(403, rejection.status());
        assertTrue(rejection.body().contains("\"error\":\"user_mismatch\""), rejection.body());
        assertEquals(
                403,
                WsClient.reject(
                                socketUri("?user_id=bob"),
                                Map.of("Authorization", "Bearer " + TestTokens.user("alice")))
                        .status());
    }

    @Test
    void aGatewayUserIdEqualToTheSubjectIsAccepted() {
        String user = uniqueUser("gw");
        track(WsClient.connect(
                socketUri(), Map.of("Authorization", "Bearer " + TestTokens.user(user), "X-User-ID", user)));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aSubjectThatIsNotAValidUserIdGets400() {
        assertEquals(400, rejectionStatus(Map.of("Authorization", "Bearer " + TestTokens.user("bad user*"))));
    }

    @Test
    void whenTheTokenExpiresTheConnectionIsClosedWith4001() {
        String user = uniqueUser("expiring");
        WsClient tab =
                connectWithBearer(TestTokens.token(user, Set.of(), Instant.now().plusSeconds(2)));
        WsClient.Close close = tab.awaitClose(Duration.ofSeconds(6));
        assertEquals(4001, close.code());
        assertEquals("token expired", close.reason());
        awaitKeyGone("presence:" + user);
    }

    @Test
    void aFreshTokenForTheSameSubjectExtendsTheConnection() {
        String user = uniqueUser("renewing");
        WsClient tab =
                connectWithBearer(TestTokens.token(user, Set.of(), Instant.now().plusSeconds(2)));
        refreshForAnHour(tab, user);

        assertOpenPastTheFirstTokensExp(tab);
    }

    /** Sends a token valid for an hour and expects it accepted; returns its {@code exp}. */
    private static long refreshForAnHour(WsClient tab, String user) {
        long freshExp = Instant.now().plusSeconds(3600).getEpochSecond();
        sendRefresh(tab, user, Instant.ofEpochSecond(freshExp));
        assertEquals("{\"type\":\"auth\",\"ok\":true,\"exp\":" + freshExp + "}", tab.next());
        return freshExp;
    }

    private static void sendRefresh(WsClient tab, String user, Instant exp) {
        tab.send("{\"type\":\"auth\",\"token\":\"" + TestTokens.token(user, Set.of(), exp) + "\"}");
    }

    /** The first tokens here expire in 2 s: 3 s later the connection still answers a ping. */
    private static void assertOpenPastTheFirstTokensExp(WsClient tab) {
        org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
        assertTrue(!tab.isClosed(), "still open after the first token's exp");
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
    }

    @Test
    void aTokenExpiringEarlierDoesNotShortenTheConnection() {
        String user = uniqueUser("no-shortening");
        WsClient tab =
                connectWithBearer(TestTokens.token(user, Set.of(), Instant.now().plusSeconds(2)));
        long laterExp = refreshForAnHour(tab, user);

        sendRefresh(tab, user, Instant.now().plusSeconds(2));
        assertEquals("{\"type\":\"auth\",\"ok\":true,\"exp\":" + laterExp + "}", tab.next());
        assertOpenPastTheFirstTokensExp(tab);
    }

    @Test
    void aTokenForAnotherSubjectGetsAnErrorAndNoExtension() {
        String user = uniqueUser("hijack");
        WsClient tab =
                connectWithBearer(TestTokens.token(user, Set.of(), Instant.now().plusSeconds(2)));
        tab.send("{\"type\":\"auth\",\"token\":\"" + TestTokens.user("someone-else") + "\"}");
        assertTrue(tab.next().startsWith("{\"type\":\"error\",\"code\":\"user_mismatch\""));
        tab.send("{\"type\":\"auth\",\"token\":\"garbage\"}");
        assertTrue(tab.next().startsWith("{\"type\":\"error\",\"code\":\"invalid_token\""));
        assertEquals(4001, tab.awaitClose(Duration.ofSeconds(6)).code());
    }

    @Test
    void theRestApiWithoutATokenAnswers401() {
        given().body("x")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(401)
                .body("error", equalTo("unauthorized"));
        given().get("/api/v1/realtime/presence").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer " + TestTokens.forged("backend"))
                .get("/api/v1/realtime/connections")
                .then()
                .statusCode(401);
    }

    @Test
    void theRestApiWithATokenOutsideThePublisherGroupAnswers403() {
        given().header("Authorization", "Bearer " + TestTokens.user("plain-user"))
                .body("x")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(403)
                .body("error", equalTo("forbidden"));
    }

    @Test
    void theRestApiWithAPublisherTokenWorks() {
        given().header("Authorization", "Bearer " + TestTokens.publisher())
                .body("x")
                .post("/api/v1/realtime/users/{u}/messages", "someone")
                .then()
                .statusCode(202);
        given().header("Authorization", "Bearer " + TestTokens.publisher())
                .get("/api/v1/realtime/connections")
                .then()
                .statusCode(200);
    }

    @Test
    void healthAndMetricsStayOpenForProbes() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
