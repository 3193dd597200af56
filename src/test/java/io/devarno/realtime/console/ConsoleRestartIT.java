package io.devarno.realtime.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.devarno.realtime.support.NeedsChromium;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;

/**
 * The console's tabs are clients of the JavaScript library (clients/js): across a restart of the packaged service
 * on the same address (SIGTERM, drain with 1001, a new process), a tab reconnects on its own and gets the message
 * published while it was away, once, after the one before (protocol v2 recovery).
 */
@NeedsChromium
class ConsoleRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void aTabReconnectsAcrossARestartAndRecoversWhatWasPublishedMeanwhile() throws Exception {
        RedisProcess redis = keep(new RedisProcess().start());
        int port = RedisProcess.freePort();
        Map<String, String> settings = Map.of(
                "quarkus.http.port", Integer.toString(port),
                "realtime.console.enabled", "true",
                "realtime.allowed-origins", "*");
        ServiceProcess first = keep(ServiceProcess.start("console-1", redis, settings));
        HeadlessChromium browser = keep(new HeadlessChromium());
        var driver = browser.driver;

        driver.get("http://127.0.0.1:" + port + "/console/");
        driver.findElement(By.id("tab-user")).sendKeys("restart-alice");
        driver.findElement(By.id("open-tab")).click();
        WebElement tab = driver.findElement(By.cssSelector(".tab[data-user='restart-alice']"));
        browser.waitFor("the tab open", WAIT, () -> "open".equals(tab.getAttribute("data-state")));

        assertEquals(
                202,
                first.post("/api/v1/realtime/users/restart-alice/messages", "before the restart")
                        .statusCode());
        browser.waitFor("the first message", WAIT, () -> frames(tab).contains("before the restart"));

        first.terminate();
        assertTrue(first.waitFor(Duration.ofSeconds(20)) >= 0, "the first instance exits after its drain");
        browser.waitFor("the tab to notice", WAIT, () -> !"open".equals(tab.getAttribute("data-state")));
        assertTrue(
                infos(tab).stream().anyMatch(info -> info.startsWith("closed with 1001")),
                "closed by the drain: " + infos(tab));

        ServiceProcess second = keep(ServiceProcess.start("console-2", redis, settings));
        // published at once: the tab is still waiting for its next attempt, or just back
        assertEquals(
                202,
                second.post("/api/v1/realtime/users/restart-alice/messages", "while it was away")
                        .statusCode());

        browser.waitFor("the tab open again", WAIT, () -> "open".equals(tab.getAttribute("data-state")));
        browser.waitFor(
                "the message published meanwhile", WAIT, () -> frames(tab).contains("while it was away"));
        assertEquals(List.of("before the restart", "while it was away"), frames(tab), "each once, in order");
        assertEquals("true", tab.getAttribute("data-recovered"), "the recovery was complete: " + infos(tab));
        assertTrue(
                browser.pageErrors().stream().noneMatch(e -> !e.contains("/ws") && !e.contains("/api/")),
                "no script error (failed requests while the service was down are expected): " + browser.pageErrors());
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    /** The frames a tab received, oldest first (the page lists them newest first). */
    private static List<String> frames(WebElement tab) {
        List<String> texts = tab.findElements(By.cssSelector(".frame-received .frame-body")).stream()
                .map(WebElement::getText)
                .collect(Collectors.toList());
        Collections.reverse(texts);
        return texts;
    }

    private static List<String> infos(WebElement tab) {
        return tab.findElements(By.cssSelector(".frame-info .frame-body")).stream()
                .map(WebElement::getText)
                .collect(Collectors.toList());
    }
}
