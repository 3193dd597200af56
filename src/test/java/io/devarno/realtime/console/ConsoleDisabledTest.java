package io.devarno.realtime.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;

/** The default configuration (realtime.console.enabled=false): the console and its API do not exist. */
@QuarkusTest
@WithRedis
class ConsoleDisabledTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/console",
                "/console/",
                "/console/index.html",
                "/console/console.js",
                "/console/console.css",
                "/api/v1/realtime/console/presence-events"
            })
    void answers404(String path) {
        given().redirects()
                .follow(false)
                .accept("*/*")
                .get(path)
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("error", equalTo("not_found"));
    }
}
