package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The explorer page end to end, in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}): a real allocator ({@code ledgerlb run}: Kafka, SQLite, the local
 * Kubernetes API) in this JVM, Services created through the fabric8 client, and assertions on
 * what the page shows. Screenshots of each view go to {@code target/explorer-screenshots/}.
 * Skipped only where chromium or its driver is not installed ({@code .ci/install-deps} installs both).
 */
class ExplorerBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "explorer-screenshots");

    @TempDir
    static Path dir;
    static RunCommand run;
    static Thread running;
    static String base;
    static KubernetesClient kube;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        LedgerConfig config = LedgerFixture.config("explorer");
        CommandLine cli = LedgerlbCommand.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        run = cli.getSubcommands().get("run").getCommand();
        running = new Thread(() -> cli.execute("run", "--local", "--kafka-bootstrap", LedgerFixture.bootstrapServers(),
                "--topic", config.eventsTopic(), "--data-dir", dir.toString(), "--metrics-port", "0",
                "--admin", "127.0.0.1:0", "--explorer-port", "0", "--instance", "explorer-test",
                "--signing-key", LedgerFixture.signingKeyFile().toString(),
                "--trusted-keys", LedgerFixture.trustedKeysFile().toString()), "allocator-under-test");
        running.start();
        Matcher port = await("the explorer's address in the run command's output", () -> {
            Matcher m = Pattern.compile("explorer: +http://127\\.0\\.0\\.1:(\\d+)/explorer/").matcher(out.toString());
            return m.find() && run.ready() ? m : null;
        });
        base = "http://127.0.0.1:" + port.group(1) + "/explorer/";
        kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(dir.resolve("kubeconfig")))).build();

        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")), "--window-size=1360,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (kube != null) {
            kube.close();
        }
        if (run != null) {
            run.stop();
            running.join(30_000);
        }
    }

    @Test
    void poolsTimelinePointInTimeExportAndTrust() throws Exception {
        pool("blue", "192.0.2.10-192.0.2.12");
        service("web");
        browser.get(base + "#/pools");
        waitForText(By.cssSelector("td[data-count='blue']"), "1 / 3");
        js("window.sameDocument = 'yes'"); // a reload would lose it

        // the pool fills while the page is open: the bar moves without a reload, a refusal appears
        service("svc-a");
        service("svc-b");
        service("svc-c");
        waitForText(By.cssSelector("td[data-count='blue']"), "3 / 3");
        waitForText(By.id("waiting-table"), "default/svc-c");
        assertThat(js("return window.sameDocument")).isEqualTo("yes");
        assertThat(browser.findElement(By.cssSelector(".bar[data-pool='blue'] .used")).getAttribute("style"))
                .contains("width: 100%");
        assertThat(browser.findElement(By.id("waiting-table")).getText()).contains("NoAvailableIP");
        assertThat(browser.findElement(By.cssSelector("#waiting-table a[href='#/pool/blue']")).getText()).isEqualTo("blue");
        shot("pools");

        // a waiting Service deleted waits no more: the ledger says so (WaitEnded) and the table drops it
        service("gone");
        waitForText(By.id("waiting-table"), "default/gone");
        kube.services().inNamespace("default").withName("gone").delete();
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(b -> !b.findElement(By.id("waiting-table")).getText().contains("default/gone"));
        assertThat(browser.findElement(By.id("waiting-table")).getText()).contains("default/svc-c");

        // web leaves; svc-c, waiting, takes its IP in the same transaction (as MetalLB gives a freed
        // IP to the waiting Service): the pool stays full, nobody waits, the IP's timeline tells it
        kube.services().inNamespace("default").withName("web").delete();
        waitForText(By.id("waiting-none"), "No Service is waiting.");
        assertThat(browser.findElement(By.cssSelector("td[data-count='blue']")).getText()).contains("3 / 3");
        WebElement search = browser.findElement(By.id("search-input"));
        search.clear();
        search.sendKeys("192.0.2.10", Keys.ENTER);
        waitForText(By.id("timeline-table"), "default/svc-c");
        String timeline = browser.findElement(By.id("timeline-table")).getText();
        assertThat(timeline).contains("IpAssigned").contains("IpReleased").contains("SERVICE_DELETED")
                .contains("default/web").contains("default/svc-c");
        assertThat(browser.findElements(By.cssSelector("#axis g.held[data-service='default/web']"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#axis g.held[data-service='default/svc-c']"))).hasSize(1);
        shot("timeline-ip");

        // a link from an event to the Service it names
        browser.findElement(By.cssSelector("#timeline-table a[href*='service=default%2Fweb']")).click();
        waitForText(By.id("timeline-subject"), "Service default/web");

        // bad input: a clear message on the page, never a stack trace
        browser.get(base + "#/timeline?ip=192.0.2.99");
        waitForText(By.cssSelector(".message.error"), "no event in the ledger concerns IP 192.0.2.99");
        browser.get(base + "#/timeline?ip=not-an-ip");
        waitForText(By.cssSelector(".message.error"), "not an IP address: 'not-an-ip'");
        browser.get(base + "#/state?at=2001-01-01");
        waitForText(By.cssSelector(".message.error"), "is before the ledger began");
        assertThat(browser.getPageSource()).doesNotContain("Exception").doesNotContain("\tat ");

        // point in time: the slider back to the sequence where only web held an IP, then the diff to the head
        browser.get(base + "#/state");
        long head = Long.parseLong(waitForText(By.id("state-sequence"), "").getText());
        long target = firstSequenceWhere("IpAssigned", "default/web");
        for (long i = head; i > target; i--) { // each step re-renders the view, slider included
            browser.findElement(By.id("state-slider")).sendKeys(Keys.ARROW_LEFT);
            waitForText(By.id("state-sequence"), String.valueOf(i - 1));
        }
        assertThat(browser.findElement(By.id("state-table")).getText()).contains("default/web").contains("192.0.2.10")
                .doesNotContain("svc-a");
        WebElement compare = browser.findElement(By.id("state-cmp"));
        compare.sendKeys(String.valueOf(head), Keys.ENTER);
        waitForText(By.id("diff-table"), "svc-a");
        String diff = browser.findElement(By.id("diff-table")).getText();
        assertThat(diff).contains("assigned").contains("default/svc-b").contains("released").contains("default/web");
        shot("point-in-time");

        // export the state as CSV: the link the page offers, fetched as the browser would
        String csv = fetch(browser.findElement(By.cssSelector("#view a[data-export='csv']")).getAttribute("href"));
        assertThat(csv.lines().findFirst()).contains("service,ip,pool,sharingKey");
        assertThat(csv).contains("default/web,192.0.2.10,blue,");

        // trust: the head, signed by the allocator's key, and a verification run from the page
        browser.get(base + "#/trust");
        waitForText(By.id("head-sequence"), "");
        assertThat(browser.findElement(By.id("head-signature")).getText()).contains("Ed25519")
                .contains(java.util.HexFormat.of().formatHex(LedgerFixture.signingKey().keyId()));
        assertThat(browser.findElement(By.id("head-hash")).getText()).matches("[0-9a-f]{64}");
        browser.findElement(By.id("verify-button")).click();
        waitForText(By.id("verify-result"), "intact");
        assertThat(browser.findElement(By.id("verify")).getText()).contains("chain intact up to sequence");
        assertThat(browser.findElement(By.id("recent-table")).getText()).contains("IpReleased");
        shot("trust");
    }

    /** The sequence of the first event of a type about a Service, read from the page's own JSON API. */
    private long firstSequenceWhere(String type, String service) throws Exception {
        var json = EventFormat.JSON.readTree(fetch(base + "api/timeline?service=" + service.replace("/", "%2F")));
        for (var entry : json.get("entries")) {
            if (entry.get("type").asText().equals(type)) {
                return entry.get("sequence").asLong();
            }
        }
        throw new AssertionError("no " + type + " of " + service + " in " + json);
    }

    private static void pool(String name, String... addresses) {
        kube.genericKubernetesResources(MetalLbKinds.IP_ADDRESS_POOL.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                        .withNewMetadata().withName(name).withNamespace("metallb-system").endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of(addresses))))
                        .build()).create();
    }

    private static void service(String name) {
        kube.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort()
                .addToSelector("app", name).endSpec().build()).create();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static String fetch(String url) {
        Object text = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('fetch failed: ' + e));", url);
        return String.valueOf(text);
    }

    private static WebElement waitForText(By where, String text) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class).withMessage(() -> "waiting for '" + text + "' in "
                + where + "; the page shows: " + browser.findElement(By.tagName("main")).getText())
                .until(d -> d.findElements(where).stream().filter(e -> e.getText().contains(text)).findFirst().orElse(null));
    }

    private static <T> T await(String what, Supplier<T> found) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T value = found.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static void shot(String name) throws Exception {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
