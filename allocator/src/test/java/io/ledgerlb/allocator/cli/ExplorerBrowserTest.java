package io.ledgerlb.allocator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ledgerlb.allocator.k8s.local.Kubectl;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * Kubernetes API) in this JVM, pools and Services made with the real kubectl, and assertions on
 * what the page shows. The steps run in order on one allocator and one page, each building on the last. Screenshots of each view go to {@code target/explorer-screenshots/}.
 * Skipped only where chromium or its driver is not installed ({@code .ci/install-deps} installs both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "explorer-screenshots");

    @TempDir
    static Path dir;
    static RunCommand run;
    static Thread running;
    static String base;
    static Kubectl kubectl;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        assumeTrue(Files.isExecutable(Kubectl.BINARY), "kubectl is not installed at " + Kubectl.BINARY);
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
        kubectl = new Kubectl(dir.resolve("kubeconfig"), Files.createDirectories(dir.resolve("kubectl")));

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
        if (run != null) {
            run.stop();
            running.join(30_000);
        }
    }

    @Test
    @Order(1)
    void poolsFillLiveWithoutAReload() throws Exception {
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
        assertThat(browser.findElement(By.cssSelector("#pools-table tr[data-pool='blue']")).getText())
                .contains("192.0.2.10-192.0.2.12");
        assertThat(browser.findElement(By.id("waiting-table")).getText()).contains("NoAvailableIP");
        assertThat(browser.findElement(By.cssSelector("#waiting-table a[href='#/pool/blue']")).getText()).isEqualTo("blue");
        assertThat(browser.findElement(By.id("live-dot")).getAttribute("class")).contains("on");
        shot("pools");

        // a waiting Service deleted waits no more: the ledger says so (WaitEnded) and the table drops it
        service("gone");
        waitForText(By.id("waiting-table"), "default/gone");
        kubectl("delete", "service", "gone");
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(b -> !b.findElement(By.id("waiting-table")).getText().contains("default/gone"));
        assertThat(browser.findElement(By.id("waiting-table")).getText()).contains("default/svc-c");

        // one pool: the Services holding its IPs, and the refusal waiting on it
        browser.findElement(By.cssSelector("#pools-table a[href='#/pool/blue']")).click();
        waitForText(By.id("holders-table"), "default/svc-b");
        assertThat(browser.findElement(By.id("holders-table")).getText()).contains("default/web").contains("default/svc-a")
                .contains("192.0.2.10").contains("192.0.2.11").contains("192.0.2.12");
        assertThat(browser.findElement(By.cssSelector("dd[data-count='blue']")).getText()).isEqualTo("3 / 3 (0 free)");
        assertThat(browser.findElement(By.id("pool-waiting")).getText()).contains("default/svc-c").contains("NoAvailableIP");
        shot("pool");

        // web leaves; svc-c, waiting, takes its IP in the same transaction (as MetalLB gives a freed
        // IP to the waiting Service): the pool stays full, nobody waits
        browser.findElement(By.cssSelector("nav a[data-nav='pools']")).click();
        waitForText(By.id("waiting-table"), "default/svc-c");
        kubectl("delete", "service", "web");
        waitForText(By.id("waiting-none"), "No Service is waiting.");
        assertThat(browser.findElement(By.cssSelector("td[data-count='blue']")).getText()).contains("3 / 3");
        assertThat(js("return window.sameDocument")).isEqualTo("yes");
    }

    @Test
    @Order(2)
    void anIpsTimelineOnAnAxisAndInATableFilteredByTimeWithLinks() throws Exception {
        WebElement search = browser.findElement(By.id("search-input"));
        search.clear();
        search.sendKeys("192.0.2.10", Keys.ENTER);
        waitForText(By.id("timeline-table"), "default/svc-c");
        assertThat(browser.findElement(By.id("timeline-subject")).getText()).isEqualTo("IP 192.0.2.10");
        String timeline = browser.findElement(By.id("timeline-table")).getText();
        assertThat(timeline).contains("IpAssigned").contains("IpReleased").contains("SERVICE_DELETED")
                .contains("default/web").contains("default/svc-c")
                .contains("Service default/web"); // the cause: what changed in the cluster
        // the axis: web held the IP until it left, svc-c holds it still
        List<WebElement> web = browser.findElements(By.cssSelector("#axis g.held[data-service='default/web']"));
        List<WebElement> svcC = browser.findElements(By.cssSelector("#axis g.held[data-service='default/svc-c']"));
        assertThat(web).hasSize(1);
        assertThat(svcC).hasSize(1);
        assertThat(web.get(0).findElement(By.tagName("title")).getAttribute("textContent"))
                .contains("default/web held 192.0.2.10 from ").contains(" to ").doesNotContain("still holds");
        assertThat(svcC.get(0).findElement(By.tagName("title")).getAttribute("textContent")).contains("still holds it");
        // each event with its sequence and hash, as the ledger has them
        var json = EventFormat.JSON.readTree(fetch(base + "api/timeline?ip=192.0.2.10"));
        for (var entry : json.get("entries")) {
            WebElement row = browser.findElement(By.cssSelector("#timeline-table tr[data-seq='" + entry.get("sequence").asLong() + "']"));
            assertThat(row.findElement(By.cssSelector("td:last-child")).getAttribute("title"))
                    .startsWith("hash " + entry.get("hash").asText());
        }
        shot("timeline-ip");

        // a time range: from web's release on, its assignment is outside
        var released = firstEntry(json, "IpReleased");
        long webAssigned = firstEntry(json, "IpAssigned").get("sequence").asLong();
        WebElement since = browser.findElement(By.id("tl-since"));
        since.sendKeys(released.get("time").asText(), Keys.ENTER);
        waitForText(By.id("timeline-subject"), "IP 192.0.2.10");
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(b -> b.findElements(By.cssSelector("#timeline-table tr[data-seq='" + webAssigned + "']")).isEmpty()
                        && !b.findElements(By.cssSelector("#timeline-table tr[data-seq='" + released.get("sequence").asLong() + "']")).isEmpty());
        assertThat(browser.getCurrentUrl()).contains("since=");
        browser.get(base + "#/timeline?ip=192.0.2.10&until=2001-01-01T00:00:00Z");
        waitForText(By.cssSelector(".message.info"), "No event concerns IP 192.0.2.10 in this time range.");

        // links from an event to the pool and to the Service it names
        browser.get(base + "#/timeline?ip=192.0.2.10");
        waitForText(By.id("timeline-table"), "default/svc-c");
        browser.findElement(By.cssSelector("#timeline-table a[href='#/pool/blue']")).click();
        waitForText(By.cssSelector("#view h1"), "Pool blue");
        browser.navigate().back();
        waitForText(By.id("timeline-table"), "default/svc-c");
        browser.findElement(By.cssSelector("#timeline-table a[href*='service=default%2Fweb']")).click();
        waitForText(By.id("timeline-subject"), "Service default/web");
        assertThat(browser.findElement(By.id("timeline-table")).getText()).contains("IpAssigned").contains("IpReleased");

        // a pool's timeline
        browser.get(base + "#/timeline?pool=blue");
        waitForText(By.id("timeline-subject"), "pool blue");
        assertThat(browser.findElement(By.id("timeline-table")).getText()).contains("PoolDefined")
                .contains("default/svc-a").contains("default/svc-b");
        shot("timeline-pool");
    }

    @Test
    @Order(3)
    void badInputGetsAClearMessageNeverAStackTrace() throws Exception {
        showsError("#/timeline?ip=192.0.2.99", "no event in the ledger concerns IP 192.0.2.99");
        showsError("#/timeline?ip=not-an-ip", "not an IP address: 'not-an-ip'");
        showsError("#/timeline?ip=192.0.2.10&since=yesterday", "since: not a time or sequence: 'yesterday'");
        showsError("#/timeline?service=no-slash", "service:");
        showsError("#/pool/purple", "no pool named 'purple'");
        showsError("#/nowhere", "No such view: #/nowhere");
        showsError("#/state?at=2001-01-01", "is before the ledger began");
        shot("bad-input");
        assertThat(browser.getPageSource()).doesNotContain("Exception").doesNotContain("\tat ");
        // the API under the page: a 4xx and one sentence
        assertThat(fetch(base + "api/timeline?ip=192.0.2.10&limit=many"))
                .isEqualTo("{\"error\":\"limit: not a number: 'many'\"}");
    }

    @Test
    @Order(4)
    void pointInTimeBySliderAndByTimeAndTheDifferenceBetweenTwoPoints() throws Exception {
        // svc-a moves to another pool: the difference will say so
        pool("green", "192.0.2.20-192.0.2.21");
        kubectl("annotate", "service", "svc-a", "metallb.io/address-pool=green");
        browser.get(base + "#/pools");
        waitForText(By.cssSelector("td[data-count='green']"), "1 / 2");
        waitForText(By.cssSelector("td[data-count='blue']"), "2 / 3");
        // the IP svc-a left is free since: on its axis, svc-a's span ends before the lane does (the gap)
        browser.get(base + "#/timeline?ip=192.0.2.11");
        waitForText(By.id("timeline-table"), "IpReleased");
        WebElement left = browser.findElement(By.cssSelector("#axis g.held[data-service='default/svc-a']"));
        assertThat(left.findElement(By.tagName("title")).getAttribute("textContent")).contains(" to ").doesNotContain("still holds");
        assertThat(browser.findElements(By.cssSelector("#axis g.held"))).hasSize(1);
        assertThat((Boolean) js("const r = document.querySelector('#axis g.held rect');"
                + " return r.x.baseVal.value + r.width.baseVal.value < document.querySelector('#axis line.gap').x2.baseVal.value;"))
                .isTrue();

        // the slider back to the sequence where only web held an IP
        browser.get(base + "#/state");
        long head = Long.parseLong(waitForText(By.id("state-sequence"), "").getText());
        long target = firstSequenceWhere("IpAssigned", "default/web");
        for (long i = head; i > target; i--) { // each step re-renders the view, slider included
            browser.findElement(By.id("state-slider")).sendKeys(Keys.ARROW_LEFT);
            waitForText(By.id("state-sequence"), String.valueOf(i - 1));
        }
        assertThat(browser.findElement(By.id("state-table")).getText()).contains("default/web").contains("192.0.2.10")
                .doesNotContain("svc-a");
        assertThat(browser.findElement(By.id("state-pools")).getText()).contains("1 / 3");

        // the difference to the head: assigned, released, and the refusals in between
        WebElement compare = browser.findElement(By.id("state-cmp"));
        compare.sendKeys(String.valueOf(head), Keys.ENTER);
        waitForText(By.id("diff-table"), "svc-a");
        assertThat(rowOf("diff-table", "default/svc-b")).contains("assigned");
        assertThat(rowOf("diff-table", "default/web")).contains("released").contains("192.0.2.10");
        assertThat(rowOf("diff-table", "default/svc-a")).contains("assigned").contains("green");
        assertThat(browser.findElement(By.id("refused-table")).getText()).contains("default/svc-c").contains("NoAvailableIP");
        assertThat(browser.findElement(By.cssSelector("#diff h2:last-of-type")).getText()).matches("Refused in between \\([1-9]\\d*\\)");

        // from svc-a's first IP to the head: svc-a moved, web released, svc-c assigned
        long svcAAssigned = firstSequenceWhere("IpAssigned", "default/svc-a");
        WebElement at = browser.findElement(By.id("state-at"));
        at.sendKeys(String.valueOf(svcAAssigned), Keys.ENTER);
        waitForText(By.id("state-sequence"), String.valueOf(svcAAssigned));
        waitForText(By.id("diff-table"), "moved");
        assertThat(rowOf("diff-table", "default/svc-a")).contains("moved").contains("192.0.2.11").contains("192.0.2.20");
        assertThat(rowOf("diff-table", "default/svc-c")).contains("assigned").contains("192.0.2.10");
        assertThat(rowOf("diff-table", "default/web")).contains("released");
        shot("point-in-time");

        // a time instead of a sequence: from the point where only web held an IP to the moment svc-c took its IP
        var ipTimeline = EventFormat.JSON.readTree(fetch(base + "api/timeline?ip=192.0.2.10"));
        var svcCTook = ipTimeline.get("entries").get(ipTimeline.get("entries").size() - 1);
        assertThat(svcCTook.get("service").asText()).isEqualTo("default/svc-c");
        String tookAt = Instant.parse(svcCTook.get("time").asText()).plusMillis(1).toString(); // shown to the millisecond
        browser.get(base + "#/state?at=" + target);
        waitForText(By.id("state-sequence"), String.valueOf(target));
        browser.findElement(By.id("state-at")).sendKeys(tookAt, Keys.ENTER);
        waitForText(By.id("state-sequence"), svcCTook.get("sequence").asText());
        assertThat(browser.findElement(By.id("state-table")).getText()).contains("default/svc-c").doesNotContain("default/web")
                .contains("192.0.2.11"); // svc-a still in blue: it moved later
        assertThat(browser.findElement(By.id("state-time")).getText()).startsWith(svcCTook.get("time").asText().substring(0, 10));
    }

    @Test
    @Order(5)
    void everyViewExportsAsCsvAndJson() throws Exception {
        // the state at a point, as CSV: the link the page offers, fetched as the browser would
        long webAssigned = firstSequenceWhere("IpAssigned", "default/web");
        browser.get(base + "#/state?at=" + webAssigned);
        waitForText(By.id("state-sequence"), String.valueOf(webAssigned));
        String csv = fetch(exportLink("csv"));
        assertThat(csv.lines().findFirst()).contains("service,ip,pool,sharingKey");
        assertThat(csv).contains("default/web,192.0.2.10,blue,");
        assertThat(EventFormat.JSON.readTree(fetch(exportLink("json"))).get("sequence").asLong()).isEqualTo(webAssigned);

        // an IP's timeline: every event with its sequence and hash
        browser.get(base + "#/timeline?ip=192.0.2.10");
        waitForText(By.id("timeline-table"), "default/svc-c");
        csv = fetch(exportLink("csv"));
        assertThat(csv.lines().findFirst().orElseThrow()).startsWith("sequence,time,actor,type,subject,ip,pool,why")
                .contains(",hash,prevHash");
        assertThat(csv).contains("IpReleased").contains("default/svc-c").contains("SERVICE_DELETED");
        assertThat(EventFormat.JSON.readTree(fetch(exportLink("json"))).get("entries")).hasSizeGreaterThanOrEqualTo(3);

        // the pools and one pool
        browser.get(base + "#/pools");
        waitForText(By.cssSelector("td[data-count='blue']"), "/ 3");
        assertThat(fetch(exportLink("csv"))).startsWith("name,addresses,autoAssign,assigned,free,total,waiting")
                .contains("blue,192.0.2.10-192.0.2.12,true,2,1,3,0");
        assertThat(EventFormat.JSON.readTree(fetch(exportLink("json"))).get("pools")).hasSize(2);
        browser.get(base + "#/pool/green");
        waitForText(By.id("holders-table"), "default/svc-a");
        assertThat(fetch(exportLink("csv"))).contains("default/svc-a,192.0.2.20,green,");

        // a difference
        browser.get(base + "#/state?at=" + webAssigned + "&cmp=" + firstSequenceWhere("IpReleased", "default/web"));
        waitForText(By.id("diff-table"), "released");
        String diff = fetch(browser.findElement(By.cssSelector("#diff a[data-export='csv']")).getAttribute("href"));
        assertThat(diff.lines().findFirst()).contains("kind,service,before,after,pool,sequence,why");
        assertThat(diff).contains("released,default/web,192.0.2.10,,blue").contains("refused,default/svc-c");
    }

    @Test
    @Order(6)
    void trustTheSignedHeadTheLastVerifyAndEveryEventsHash() throws Exception {
        browser.get(base + "#/trust");
        waitForText(By.id("head-sequence"), "");
        long head = Long.parseLong(browser.findElement(By.id("head-sequence")).getText());
        String hash = browser.findElement(By.id("head-hash")).getText();
        assertThat(hash).matches("[0-9a-f]{64}");
        assertThat(browser.findElement(By.id("head-signature")).getText()).contains("Ed25519")
                .contains(java.util.HexFormat.of().formatHex(LedgerFixture.signingKey().keyId()));
        // the head's own row carries the same hash: the chain head is the newest event's hash
        assertThat(browser.findElement(By.cssSelector("#recent-table tr[data-seq='" + head + "'] td:last-child"))
                .getAttribute("title")).startsWith("hash " + hash);
        assertThat(browser.findElement(By.id("recent-table")).getText()).contains("IpReleased");
        assertThat(browser.findElement(By.id("verify-result")).getText()).contains("Not verified since this allocator started");
        String headCsv = fetch(exportLink("csv"));
        assertThat(headCsv.lines().findFirst()).contains("sequence,hash,time,signature,keyId");
        assertThat(headCsv).contains(head + "," + hash + ",");
        assertThat(EventFormat.JSON.readTree(fetch(exportLink("json"))).get("hash").asText()).isEqualTo(hash);

        // the button: its progress shows at once, then the result
        js("window.progressSeen = false; new MutationObserver(() => { if (document.getElementById('verify-progress'))"
                + " window.progressSeen = true; }).observe(document.getElementById('verify'), {childList: true, subtree: true});");
        browser.findElement(By.id("verify-button")).click();
        waitForText(By.id("verify-result"), "intact");
        assertThat(js("return window.progressSeen")).isEqualTo(true);
        assertThat(browser.findElement(By.id("verify")).getText()).contains("chain intact up to sequence");
        shot("trust");

        // the last result stays: a fresh look at the page shows it
        browser.navigate().refresh();
        waitForText(By.id("verify-result"), "intact");
        assertThat(browser.findElement(By.id("verify-result")).getText()).startsWith("Last verify (");
    }

    @Test
    @Order(7)
    void thePageLoadsNothingFromElsewhere() {
        browser.get(base + "#/pools");
        waitForText(By.cssSelector("td[data-count='blue']"), "/ 3");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat([...document.querySelectorAll('script[src], link[href], img[src]')].map(e => e.src || e.href))");
        String origin = base.substring(0, base.indexOf("/explorer/"));
        assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin + "/explorer/"));
    }

    private static void showsError(String view, String message) {
        browser.get(base + view);
        waitForText(By.cssSelector(".message.error"), message);
    }

    /** The text of the row of a table that names {@code what}. */
    private static String rowOf(String table, String what) {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr")).stream().map(WebElement::getText)
                .filter(t -> t.contains(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no row of " + table + " names " + what));
    }

    private static String exportLink(String format) {
        return browser.findElement(By.cssSelector("#view .row a[data-export='" + format + "']")).getAttribute("href");
    }

    private static com.fasterxml.jackson.databind.JsonNode firstEntry(com.fasterxml.jackson.databind.JsonNode timeline, String type) {
        List<com.fasterxml.jackson.databind.JsonNode> entries = new java.util.ArrayList<>();
        timeline.get("entries").forEach(entries::add);
        return entries.stream().filter(e -> e.get("type").asText().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + timeline));
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

    private static void pool(String name, String addresses) throws Exception {
        kubectl("create", "-f", "-", """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: %s, namespace: metallb-system}
                spec:
                  addresses: [%s]
                """.formatted(name, addresses));
    }

    private static void service(String name) throws Exception {
        kubectl("apply", "-f", "-", """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                  type: LoadBalancer
                  selector: {app: %s}
                  ports: [{port: 80, protocol: TCP}]
                """.formatted(name, name));
    }

    /** Runs kubectl against the allocator's local Kubernetes API; the last argument after "-" is its input. */
    private static void kubectl(String... args) throws Exception {
        int dash = List.of(args).indexOf("-");
        String input = dash >= 0 && dash < args.length - 1 ? args[args.length - 1] : null;
        String[] command = input == null ? args : java.util.Arrays.copyOf(args, args.length - 1);
        Kubectl.Result result = kubectl.withInput(input, command);
        assertThat(result.exitCode()).as("kubectl %s: %s", String.join(" ", command), result).isZero();
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

    /** Saves a screenshot of the view, which must show no value the page failed to fill in. */
    private static void shot(String name) throws Exception {
        assertThat(browser.findElement(By.id("view")).getText()).as("the %s view", name)
                .doesNotContainPattern("\\b(null|undefined|NaN)\\b|\\[object Object]");
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
