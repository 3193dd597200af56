package io.devarno.realtime.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisTestResource;
import io.devarno.realtime.support.ServiceTestBase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Contract sections 6 and 7. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
class HealthAndMetricsTest extends ServiceTestBase {

    @Test
    void livenessHasAHubCheckWithCountsAndNoRedisCheck() {
        connect(uniqueUser("live"));
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(java.util.List.of("hub")))
                .body("checks[0].data.connections", notNullValue())
                .body("checks[0].data.users", notNullValue());
    }

    @Test
    void readinessHasHubAndRedisChecksUp() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("hub", "redis"));
    }

    @Test
    void startupProbeAnswers() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsExposeTheContractNames() {
        var tab = connect(uniqueUser("metrics"));
        tab.send("{\"type\":\"ping\"}");
        tab.next();
        given().body("m").post("/api/v1/realtime/users/{u}/messages", "metrics-target").then().statusCode(202);
        given().body("m").post("/api/v1/realtime/broadcast").then().statusCode(202);
        io.devarno.realtime.support.WsClient.reject(socketUri(), java.util.Map.of());

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] { "realtime_connections ", "realtime_users ", "realtime_connections_opened_total",
                "realtime_messages_published_total{target=\"user\"}", "realtime_messages_published_total{target=\"broadcast\"}",
                "realtime_messages_delivered_total", "realtime_slow_consumer_disconnects_total",
                "realtime_presence_errors_total", "realtime_upgrades_rejected_total{reason=\"unauthorized\"}" }) {
            org.hamcrest.MatcherAssert.assertThat(metrics, containsString(name));
        }
    }
}
