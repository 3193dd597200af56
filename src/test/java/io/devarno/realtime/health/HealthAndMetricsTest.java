package io.devarno.realtime.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.protocol.UpgradeRefusal;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;

/** The metrics (README.md#operations) and health checks (docs/operations.md#health). */
@QuarkusTest
@WithRedis
class HealthAndMetricsTest extends ServiceTestBase {

    @Test
    void livenessHasAHubCheckWithCountsAndNoRedisCheck() {
        connect(uniqueUser("live"));
        given().get("/q/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(java.util.List.of("hub")))
                .body("checks[0].data.connections", notNullValue())
                .body("checks[0].data.users", notNullValue());
    }

    @Test
    void readinessHasHubAndRedisChecksUp() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
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
        given().body("m")
                .post("/api/v1/realtime/users/{u}/messages", "metrics-target")
                .then()
                .statusCode(202);
        given().body("m").post("/api/v1/realtime/broadcast").then().statusCode(202);
        io.devarno.realtime.support.WsClient.reject(socketUri(), java.util.Map.of());

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] {
            "realtime_connections ",
            "realtime_users ",
            "realtime_connections_opened_total",
            "realtime_messages_published_total{target=\"user\"}",
            "realtime_messages_published_total{target=\"broadcast\"}",
            "realtime_messages_delivered_total",
            "realtime_slow_consumer_disconnects_total",
            "realtime_presence_errors_total",
            "realtime_upgrades_rejected_total{reason=\"unauthorized\"}"
        }) {
            org.hamcrest.MatcherAssert.assertThat(metrics, containsString(name));
        }
    }

    /** Dashboards and alerts need every reason's series before its first event, and a HELP text for each family. */
    @Test
    void everyKnownReasonIsExposedAndEveryFamilyHasAHelpText() {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> expected = new ArrayList<>();
        expected.add("realtime_connections_closed_total{reason=\"client\"}");
        Arrays.stream(CloseCode.values())
                .filter(code -> !code.refusesUpgrade())
                .forEach(code -> expected.add("realtime_connections_closed_total{reason=\"" + code.label() + "\"}"));
        Arrays.stream(UpgradeRefusal.values())
                .forEach(refusal ->
                        expected.add("realtime_upgrades_rejected_total{reason=\"" + refusal.label() + "\"}"));
        expected.add("realtime_messages_dropped_total{reason=\"no_local_connection\"}");
        expected.add("realtime_messages_dropped_total{reason=\"slow_consumer\"}");
        assertThat(
                expected.stream()
                        .filter(series -> !metrics.contains(series + " "))
                        .toList(),
                empty());
        // a refusal's close is counted as a refused upgrade, not as a closed connection
        assertThat(metrics, not(containsString("realtime_connections_closed_total{reason=\"user_full\"}")));

        List<String> families = metrics.lines()
                .filter(line -> line.startsWith("# TYPE realtime_"))
                .map(line -> line.split(" ")[2])
                .toList();
        assertThat(
                families,
                hasItems(
                        "realtime_connections",
                        "realtime_connections_closed",
                        "realtime_upgrades_rejected",
                        "realtime_messages_dropped"));
        List<String> withoutHelp = families.stream()
                .filter(family -> metrics.lines().noneMatch(line -> line.matches("# HELP " + family + " \\S.*")))
                .toList();
        assertThat(withoutHelp, empty());
    }
}
