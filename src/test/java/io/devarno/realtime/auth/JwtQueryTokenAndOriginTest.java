package io.devarno.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.TestTokens;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(JwtProfile.WithQueryTokenAndNoOrigins.class)
@WithRedis
class JwtQueryTokenAndOriginTest extends ServiceTestBase {

    @Test
    void theQueryTokenIsAcceptedWhenEnabled() {
        String user = uniqueUser("query");
        track(WsClient.connect(socketUri("?access_token=" + TestTokens.user(user)), Map.of()));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void withNoAllowedOriginsEveryBrowserOriginGets403() {
        WsClient.Rejection rejection = WsClient.reject(
                socketUri(),
                Map.of("Authorization", "Bearer " + TestTokens.user("b"), "Origin", "https://app.example.com"));
        assertEquals(403, rejection.status());
    }

    @Test
    void aServerSideClientWithoutOriginIsAllowed() {
        String user = uniqueUser("server-side");
        track(WsClient.connect(socketUri(), Map.of("Authorization", "Bearer " + TestTokens.user(user))));
        awaitKeyPresent("presence:" + user);
    }
}
