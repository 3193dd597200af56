package io.devarno.realtime.health;

import io.devarno.realtime.support.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same contract tests, against the packaged artifact (the jar here; the native runner with -Dnative). */
@QuarkusIntegrationTest
@QuarkusTestResource(RedisTestResource.class)
class HealthAndMetricsIT extends HealthAndMetricsTest {
}
