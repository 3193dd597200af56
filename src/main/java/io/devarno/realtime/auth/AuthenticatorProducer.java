package io.devarno.realtime.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;

/** Picks the authenticator for {@code realtime.auth.mode}. */
@ApplicationScoped
public class AuthenticatorProducer {

    @Produces
    @Singleton
    ConnectionAuthenticator authenticator(RealtimeConfig config, JwtVerifier verifier) {
        return switch (config.auth().mode()) {
            case TRUSTED_HEADER -> new TrustedHeaderAuthenticator();
            case JWT -> new JwtAuthenticator(verifier, config.auth().queryToken());
        };
    }
}
