package io.devarno.realtime.auth;

import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same contract tests, against the packaged artifact (the jar here; the native runner with -Dnative). */
@QuarkusIntegrationTest
@io.quarkus.test.junit.TestProfile(JwtProfile.class)
@WithRedis
class JwtAuthIT extends JwtAuthTest {}
