package io.devarno.realtime.ws;

import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same contract tests, against the packaged artifact (the jar here; the native runner with -Dnative). */
@QuarkusIntegrationTest
@WithRedis
class UpgradeIT extends UpgradeTest {}
