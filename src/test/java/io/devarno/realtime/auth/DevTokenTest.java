package io.devarno.realtime.auth;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** docs/security.md's development token: {@code node clients/js/scripts/dev-token.mjs} makes tokens the service accepts in jwt mode. */
@QuarkusTest
@TestProfile(DevTokenTest.Profile.class)
@WithRedis
class DevTokenTest extends ServiceTestBase {

    /** jwt mode with the script's key, as docs/security.md says to start the service; no issuer. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            token("key-pair"); // creates target/dev-jwt/ before the service reads its public key
            return Map.of(
                    "realtime.auth.mode",
                    "jwt",
                    "mp.jwt.verify.publickey.location",
                    Path.of("target", "dev-jwt", "public.pem").toAbsolutePath().toString());
        }
    }

    static String token(String... args) {
        String[] command = new String[args.length + 2];
        command[0] = "node";
        command[1] = "clients/js/scripts/dev-token.mjs";
        System.arraycopy(args, 0, command, 2, args.length);
        try {
            Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
                throw new IllegalStateException("node clients/js/scripts/dev-token.mjs failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("node (18 or later) is needed for clients/js/scripts/dev-token.mjs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDevTokenOpensASocketAsItsUser() {
        String user = uniqueUser("dev");
        track(WsClient.connect(socketUri(), Map.of("Authorization", "Bearer " + token(user))));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aDevTokenWithThePublisherGroupCallsTheApi() {
        given().header("Authorization", "Bearer " + token("backend", "realtime-publisher"))
                .get("/api/v1/realtime/presence/nobody")
                .then()
                .statusCode(200);
        given().header("Authorization", "Bearer " + token("backend"))
                .get("/api/v1/realtime/presence/nobody")
                .then()
                .statusCode(403);
    }
}
