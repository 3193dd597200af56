package io.devarno.realtime.auth;

import io.devarno.realtime.support.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same contract tests, against the packaged artifact (the jar here; the native runner with -Dnative). */
@QuarkusIntegrationTest
@io.quarkus.test.junit.TestProfile(JwtProfile.class)
@QuarkusTestResource(RedisTestResource.class)
class JwtAuthIT extends JwtAuthTest {
}
