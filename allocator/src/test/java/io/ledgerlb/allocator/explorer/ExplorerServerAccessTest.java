package io.ledgerlb.allocator.explorer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may read the explorer, over real HTTP: with a token (an exposed explorer) every API request
 * carries it, as a bearer header or as the cookie the page's login sets; without one (loopback)
 * only requests whose Host names loopback are answered. The page's own files need no token (the
 * page asks for it), and come with a policy that lets them load nothing from elsewhere.
 */
class ExplorerServerAccessTest {
    static final String TOKEN = "explorer-test-token-0123456789";

    static KafkaLedger ledger;
    static LiveHead live;
    static ExplorerServer withToken;
    static ExplorerServer loopbackOnly;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ledger = LedgerFixture.open("explorer-access");
        live = new LiveHead(ledger);
        LedgerQueries queries = new LedgerQueries(ledger, CoreAllocationStep.forCounting(), live::sequence);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        withToken = new ExplorerServer(any, new ExplorerApi(queries, live, true), new ExplorerAccess(Optional.of(TOKEN)), live);
        loopbackOnly = new ExplorerServer(any, new ExplorerApi(queries, live, false), new ExplorerAccess(Optional.empty()), live);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {withToken, loopbackOnly, live, ledger}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing
            }
        }
    }

    @Test
    void withATokenEveryApiRequestCarriesIt() throws Exception {
        HttpResponse<String> none = get(withToken, "api/head");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"error\":\"a token is required");
        assertThat(get(withToken, "api/head", "Authorization", "Bearer not-the-token-at-all-0000").statusCode()).isEqualTo(401);
        assertThat(get(withToken, "api/live", "Authorization", "Bearer " + TOKEN.replace('0', '1')).statusCode()).isEqualTo(401);

        HttpResponse<String> bearer = get(withToken, "api/head", "Authorization", "Bearer " + TOKEN);
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(bearer.body()).contains("\"sequence\":").contains("\"tokenRequired\":true");
    }

    @Test
    void thePagesLoginSetsACookieThatCarriesTheToken() throws Exception {
        assertThat(login("{\"token\":\"" + TOKEN + "\"}", false).statusCode()).isEqualTo(403); // no X-Ledgerlb-Explorer
        HttpResponse<String> wrong = login("{\"token\":\"wrong-token-of-enough-length\"}", true);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

        HttpResponse<String> right = login("{\"token\":\"" + TOKEN + "\"}", true);
        assertThat(right.statusCode()).isEqualTo(200);
        String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/explorer");
        HttpResponse<String> pools = get(withToken, "api/pools", "Cookie", cookie.substring(0, cookie.indexOf(';')));
        assertThat(pools.statusCode()).isEqualTo(200);
        assertThat(pools.body()).contains("\"pools\":");
    }

    @Test
    void thePageItselfNeedsNoTokenAndLoadsNothingFromElsewhere() throws Exception {
        HttpResponse<String> page = get(withToken, "");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"explorer.js\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'").contains("script-src 'self'").doesNotContain("http"));
        for (String asset : new String[] {"explorer.js", "explorer.css"}) {
            HttpResponse<String> file = get(withToken, asset);
            assertThat(file.statusCode()).isEqualTo(200);
            assertThat(file.body().replace("'http://www.w3.org/2000/svg'", "")) // a namespace name, not fetched
                    .doesNotContain("http://").doesNotContain("https://");
        }
    }

    @Test
    void workNeedsTheHeaderACrossSiteFormCannotSend() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(withToken, "api/verify"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.body()).contains("X-Ledgerlb-Explorer");
    }

    @Test
    void withoutATokenOnlyLoopbackHostsAreAnswered() throws Exception {
        assertThat(get(loopbackOnly, "api/head").statusCode()).isEqualTo(200);
        assertThat(rawGet(loopbackOnly, "127.0.0.1:" + loopbackOnly.port())).startsWith("HTTP/1.1 200");
        assertThat(rawGet(loopbackOnly, "localhost")).startsWith("HTTP/1.1 200");
        String rebound = rawGet(loopbackOnly, "ledger.example.com:" + loopbackOnly.port());
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("answers on loopback only");
    }

    private static HttpResponse<String> login(String body, boolean header) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(withToken, "api/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (header) {
            request.header(ExplorerAccess.POST_HEADER, "1");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ExplorerServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(ExplorerServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + "/explorer/" + path);
    }

    /** A request with the Host header a rebound DNS name would send (Java's HTTP client will not set it). */
    private static String rawGet(ExplorerServer server, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /explorer/api/head HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
