package io.devarno.realtime.auth;

import java.util.Map;

import io.devarno.realtime.support.TestTokens;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The production auth setup: jwt mode with our own key pair and issuer. */
public class JwtProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "realtime.auth.mode",
                "jwt",
                "mp.jwt.verify.publickey.location",
                TestTokens.publicKeyLocation(),
                "mp.jwt.verify.issuer",
                TestTokens.ISSUER);
    }

    /** jwt mode that also accepts ?access_token= and knows no browser origin. */
    public static class WithQueryTokenAndNoOrigins extends JwtProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("realtime.auth.query-token", "true");
            config.put("realtime.allowed-origins", "");
            return config;
        }
    }
}
