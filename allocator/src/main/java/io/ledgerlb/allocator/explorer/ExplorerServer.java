package io.ledgerlb.allocator.explorer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger explorer over HTTP: the page and its assets (from the allocator's jar, nothing from
 * elsewhere) under {@code /explorer/}, its JSON (and CSV) views under {@code /explorer/api/}, and
 * a server-sent event stream of the ledger's head ({@code /explorer/api/live}). Errors are JSON
 * {@code {"error": "…"}} with a 4xx status for what the request got wrong; nothing else of an
 * exception leaves the process (it is logged).
 */
public final class ExplorerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExplorerServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASSETS = "/io/ledgerlb/allocator/explorer/";
    private static final Map<String, String> ASSET_TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "explorer.js", "text/javascript; charset=utf-8",
            "explorer.css", "text/css; charset=utf-8");
    /** Live feeds hold a thread each; past this many, a new one is refused (the page falls back to polling). */
    private static final int MAX_LIVE = 32;

    private final HttpServer server;
    private final ExecutorService threads;
    private final ExplorerApi api;
    private final ExplorerAccess access;
    private final LiveHead live;
    private final Semaphore liveSlots = new Semaphore(MAX_LIVE);
    private volatile boolean closing;

    public ExplorerServer(InetSocketAddress address, ExplorerApi api, ExplorerAccess access, LiveHead live)
            throws IOException {
        this.api = api;
        this.access = access;
        this.live = live;
        server = HttpServer.create(address, 0);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "explorer-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/explorer", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (path.equals("/explorer")) {
                exchange.getResponseHeaders().set("Location", "/explorer/");
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            if (!path.startsWith("/explorer/api/")) {
                asset(exchange, path.equals("/explorer/") ? "index.html" : path.substring("/explorer/".length()));
                return;
            }
            String route = path.substring("/explorer/api/".length());
            if (route.equals("login") && exchange.getRequestMethod().equals("POST")) {
                login(exchange);
                return;
            }
            Optional<String> refused = access.refusal(exchange);
            if (refused.isPresent()) {
                error(exchange, access.tokenRequired() ? 401 : 403, refused.get());
                return;
            }
            api(exchange, route);
        } catch (RuntimeException | LinkageError e) {
            log.error("explorer: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            if (exchange.getResponseCode() == -1) { // nothing sent yet: the page still gets an answer
                error(exchange, 500, "the explorer could not answer; the allocator's log has the details");
            }
        } finally {
            exchange.close();
        }
    }

    private void api(HttpExchange exchange, String route) throws IOException {
        Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
        String method = exchange.getRequestMethod();
        try {
            if (route.equals("verify") && method.equals("POST")) {
                if (exchange.getRequestHeaders().getFirst(ExplorerAccess.POST_HEADER) == null) {
                    error(exchange, 403, "a request that starts work must carry the header " + ExplorerAccess.POST_HEADER);
                    return;
                }
                Optional<Map<String, Object>> started = api.startVerify();
                json(exchange, started.isPresent() ? 202 : 409, ExplorerApi.row("started", started.isPresent(),
                        "verify", started.orElseGet(api::verifyStatus)));
                return;
            }
            if (!method.equals("GET")) {
                error(exchange, 405, method + " is not allowed here");
                return;
            }
            switch (route) {
                case "live" -> live(exchange);
                case "verify" -> json(exchange, 200, api.verifyStatus());
                case "head" -> view(exchange, params, api.head());
                case "pools" -> view(exchange, params, api.pools());
                case "pool" -> view(exchange, params, api.pool(params));
                case "timeline" -> view(exchange, params, api.timeline(params));
                case "state" -> view(exchange, params, api.state(params));
                case "diff" -> view(exchange, params, api.diff(params));
                default -> error(exchange, 404, "no such view: " + route);
            }
        } catch (ExplorerApi.BadRequest e) {
            error(exchange, e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
        } catch (LedgerFormatException e) {
            log.error("explorer: {}: {}", route, e.getMessage());
            error(exchange, 500, "the ledger is damaged: " + e.getMessage() + " (run ledgerlb verify)");
        } catch (RuntimeException e) {
            log.error("explorer: {} failed", exchange.getRequestURI(), e);
            error(exchange, 500, "the explorer could not answer (" + e.getClass().getSimpleName()
                    + "); the allocator's log has the details");
        }
    }

    private void view(HttpExchange exchange, Map<String, String> params, ExplorerApi.View view) throws IOException {
        String format = params.getOrDefault("format", "json");
        if (format.equals("csv")) {
            attachment(exchange, view.name() + ".csv");
            send(exchange, 200, "text/csv; charset=utf-8", Csv.of(view.rows()));
        } else if (format.equals("json")) {
            if ("1".equals(params.get("all"))) {
                attachment(exchange, view.name() + ".json");
            }
            json(exchange, 200, view.json());
        } else {
            error(exchange, 400, "format: json or csv, got '" + format + "'");
        }
    }

    /** Server-sent events: the head's sequence each time the ledger moves, a comment every 15 s to keep the stream open. */
    private void live(HttpExchange exchange) throws IOException {
        if (!liveSlots.tryAcquire()) {
            error(exchange, 503, "too many live views open");
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            long sent = -1;
            while (!closing) {
                long head = live.awaitPast(sent, 15_000);
                String message = head > sent ? "event: head\ndata: {\"sequence\":" + head + "}\n\n" : ": still here\n\n";
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
                sent = head;
                if (live.broken().isPresent()) {
                    out.write(("event: broken\ndata: " + JSON.writeValueAsString(live.broken().get()) + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
            }
        } catch (IOException gone) {
            // the page closed the stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            liveSlots.release();
        }
    }

    private void login(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(4096);
        String token;
        try {
            token = JSON.readTree(body).path("token").asText("");
        } catch (IOException e) {
            error(exchange, 400, "expected {\"token\": \"…\"}");
            return;
        }
        if (!access.tokenRequired()) {
            json(exchange, 200, ExplorerApi.row("tokenRequired", false));
        } else if (exchange.getRequestHeaders().getFirst(ExplorerAccess.POST_HEADER) == null) {
            error(exchange, 403, "a login must carry the header " + ExplorerAccess.POST_HEADER);
        } else if (access.matches(token)) {
            exchange.getResponseHeaders().add("Set-Cookie", ExplorerAccess.cookie(token));
            json(exchange, 200, ExplorerApi.row("tokenRequired", true, "loggedIn", true));
        } else {
            log.warn("explorer: a login with a wrong token from {}", exchange.getRemoteAddress());
            error(exchange, 401, "wrong token");
        }
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        String type = ASSET_TYPES.get(name);
        if (type == null || !exchange.getRequestMethod().equals("GET")) {
            send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            return;
        }
        try (InputStream in = ExplorerServer.class.getResourceAsStream(ASSETS + name)) {
            if (in == null) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void attachment(HttpExchange exchange, String file) {
        exchange.getResponseHeaders().set("Content-Disposition",
                "attachment; filename=\"ledgerlb-" + file.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
    }

    private static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(value));
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, ExplorerApi.row("error", message));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static Map<String, String> params(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    @Override
    public void close() {
        closing = true;
        server.stop(0);
        threads.shutdownNow();
    }

    /** RFC 4180 CSV of rows that share their keys (the first row's keys are the header). */
    static final class Csv {
        private Csv() {}

        static String of(List<Map<String, Object>> rows) {
            StringBuilder out = new StringBuilder();
            if (rows.isEmpty()) {
                return "";
            }
            List<String> header = List.copyOf(rows.get(0).keySet());
            out.append(String.join(",", header.stream().map(Csv::field).toList())).append("\r\n");
            for (Map<String, Object> row : rows) {
                out.append(String.join(",", header.stream().map(k -> field(row.get(k))).toList())).append("\r\n");
            }
            return out.toString();
        }

        private static String field(Object value) {
            String text = value == null ? "" : value instanceof List<?> list
                    ? String.join(" ", list.stream().map(String::valueOf).toList()) : value.toString();
            // a leading = + - @ would be a formula in a spreadsheet: quote it as text
            if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
                text = "'" + text;
            }
            return text.matches("[^\",\r\n]*") ? text : "\"" + text.replace("\"", "\"\"") + "\"";
        }
    }
}
