package io.devarno.realtime.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import io.devarno.realtime.support.NeedsChromium;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The console in a real browser (Debian's chromium and chromium-driver, headless): in-page WebSocket tabs, publishing
 * from the page, the connections table, the online list, the presence events. Leaves a screenshot in
 * {@code target/console-screenshot.png}. Fails (never skips) when the browser or the driver is missing.
 */
@QuarkusTest
@WithRedis
@TestProfile(ConsoleProfile.class)
@NeedsChromium
class ConsoleBrowserTest extends ServiceTestBase {

    private static final Path SCREENSHOT = Path.of("target", "console-screenshot.png");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private HeadlessChromium browser;
    private ChromeDriver driver;

    @BeforeEach
    void startBrowser() {
        browser = new HeadlessChromium();
        driver = browser.driver;
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theConsoleShowsTabsFramesConnectionsPresenceAndPublishes() throws IOException {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob");

        driver.get(base + "console");
        assertEquals("realtime-service console", driver.getTitle());
        waitFor("the presence event stream", () -> text(By.id("sse-status")).equals("events live"));
        // the stream is open; the pod's presence subscription is confirmed by Redis before anyone connects
        await().atMost(WAIT)
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", "realtime:presence")
                                .get(1)
                        >= 1);

        openTab(alice);
        openTab(alice);
        openTab(bob);
        waitFor(
                "three open tabs",
                () -> driver.findElements(By.cssSelector(".tab[data-state='open']"))
                                .size()
                        == 3);
        List<WebElement> aliceTabs = driver.findElements(By.cssSelector(".tab[data-user='" + alice + "']"));
        WebElement bobTab = driver.findElement(By.cssSelector(".tab[data-user='" + bob + "']"));
        assertEquals(2, aliceTabs.size());
        awaitChannelSubscribed("realtime:user:" + alice);
        awaitChannelSubscribed("realtime:user:" + bob);
        awaitChannelSubscribed("realtime:broadcast");

        // publish to alice from the page: both of her tabs get it, with the publish-to-arrival time; bob's does not
        String toAlice = "{\"type\":\"notice\",\"body\":\"for alice\",\"id\":\"" + alice + "\"}";
        driver.findElement(By.id("publish-mode-user")).click();
        type(By.id("publish-user"), alice);
        type(By.id("payload"), toAlice);
        driver.findElement(By.id("publish")).click();
        waitFor("the publish to be accepted", () -> text(By.id("publish-status"))
                .startsWith("202 accepted"));
        for (WebElement tab : aliceTabs) {
            waitFor("alice's frame in each of her tabs", () -> frames(tab).contains(toAlice));
            WebElement frame = frameWith(tab, toAlice);
            String latency = frame.getAttribute("data-latency-ms");
            assertTrue(latency != null && Double.parseDouble(latency) >= 0, "publish-to-arrival time shown");
            assertTrue(frame.findElement(By.className("latency")).getText().endsWith("ms"));
        }

        // broadcast from the page: every tab gets it
        String toAll = "{\"type\":\"maintenance\",\"id\":\"" + bob + "\"}";
        driver.findElement(By.id("publish-mode-broadcast")).click();
        assertFalse(driver.findElement(By.id("publish-user")).isEnabled(), "no user id for a broadcast");
        type(By.id("payload"), toAll);
        driver.findElement(By.id("publish")).click();
        for (WebElement tab : driver.findElements(By.className("tab"))) {
            waitFor("the broadcast in every tab", () -> frames(tab).contains(toAll));
        }
        assertFalse(frames(bobTab).contains(toAlice), "bob's tab never shows alice's message");
        for (WebElement tab : aliceTabs) {
            assertEquals(2, frames(tab).size(), "each of alice's tabs got exactly her message and the broadcast");
        }
        assertEquals(List.of(toAll), frames(bobTab));

        // a ping from a tab: the pong comes back with its round trip
        bobTab.findElement(By.className("tab-ping")).click();
        waitFor("the pong", () -> frames(bobTab).contains("{\"type\":\"pong\"}"));

        // this pod's connections per user
        waitFor(
                "the connections table",
                () -> connectionsOf(alice).equals("2") && connectionsOf(bob).equals("1"));
        // the cluster's online users
        waitFor(
                "the online list",
                () -> !driver.findElements(By.cssSelector("#online-list li[data-user='" + alice + "']"))
                                .isEmpty()
                        && !driver.findElements(By.cssSelector("#online-list li[data-user='" + bob + "']"))
                                .isEmpty());
        // the presence events, as they happened
        for (String user : List.of(alice, bob)) {
            waitFor("an online event for " + user, () -> !driver.findElements(
                            By.cssSelector("#events-list li[data-user='" + user + "'][data-online='true']"))
                    .isEmpty());
        }
        assertTrue(Integer.parseInt(text(By.id("stat-events-online"))) >= 2);
        assertEquals("3", text(By.id("stat-connections")));

        // closing one of alice's tabs in the page: the table follows; no offline event, her other tab is open
        aliceTabs.get(1).findElement(By.className("tab-toggle")).click();
        waitFor("the closed tab", () -> "closed".equals(aliceTabs.get(1).getAttribute("data-state")));
        waitFor("the table to follow", () -> connectionsOf(alice).equals("1"));
        assertTrue(
                driver.findElements(By.cssSelector("#events-list li[data-user='" + alice + "'][data-online='false']"))
                        .isEmpty());

        screenshot();
        assertNoPageErrors();
    }

    private void openTab(String user) {
        type(By.id("tab-user"), user);
        driver.findElement(By.id("open-tab")).click();
    }

    private void awaitChannelSubscribed(String channel) {
        await().atMost(WAIT)
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", channel).get(1) >= 1);
    }

    private void type(By by, String value) {
        WebElement input = driver.findElement(by);
        input.clear();
        input.sendKeys(value);
    }

    private String text(By by) {
        return driver.findElement(by).getText().trim();
    }

    /** The frames a tab received, oldest first (the page lists them newest first). */
    private static List<String> frames(WebElement tab) {
        List<String> texts = tab.findElements(By.cssSelector(".frame-received .frame-body")).stream()
                .map(WebElement::getText)
                .collect(Collectors.toList());
        java.util.Collections.reverse(texts);
        return texts;
    }

    private static WebElement frameWith(WebElement tab, String body) {
        return tab.findElements(By.cssSelector(".frame-received")).stream()
                .filter(f -> f.findElement(By.className("frame-body")).getText().equals(body))
                .findFirst()
                .orElseThrow();
    }

    private String connectionsOf(String user) {
        List<WebElement> rows =
                driver.findElements(By.cssSelector("#connections-table tr[data-user='" + user + "'] .count"));
        return rows.isEmpty() ? "" : rows.get(0).getText().trim();
    }

    private void waitFor(String what, java.util.function.BooleanSupplier condition) {
        browser.waitFor(what, WAIT, condition);
    }

    /** The whole page: the viewport is set to the document's height first (headless caps the window size). */
    private void screenshot() throws IOException {
        JavascriptExecutor js = driver;
        Number height =
                (Number) js.executeScript("window.scrollTo(0, 0); return document.documentElement.scrollHeight;");
        driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", 1440, "height", height.intValue(), "deviceScaleFactor", 1, "mobile", false));
        // the chart redraws on resize; give it two frames
        js.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "requestAnimationFrame(function () { requestAnimationFrame(function () { done(); }); });");
        browser.saveScreenshot(SCREENSHOT);
        assertTrue(Files.size(SCREENSHOT) > 10_000, "a real screenshot");
    }

    /** No script error and no Content-Security-Policy violation in the page's console. */
    private void assertNoPageErrors() {
        List<String> errors = browser.pageErrors();
        assertTrue(errors.isEmpty(), "errors in the page: " + errors);
    }
}
