package io.devarno.realtime.console;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The console enabled; every origin allowed, so the page (origin http://localhost:PORT) may open WebSockets. */
public class ConsoleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "realtime.console.enabled", "true",
                "realtime.allowed-origins", "*");
    }
}
