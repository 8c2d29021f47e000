package io.ledgerlb.allocator.explorer;

import com.sun.net.httpserver.HttpExchange;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Who may read the explorer. Without a token the explorer is bound to loopback (the run command
 * refuses anything else) and answers only requests whose {@code Host} names loopback, so a web page
 * elsewhere cannot read it through DNS rebinding. With a token (read from a file, like the
 * admin API has none: the explorer is the first admin surface that may leave loopback), every
 * API request must carry it, as {@code Authorization: Bearer …} or as the cookie the page's
 * login sets. Requests that start work (POST) must carry the header {@value #POST_HEADER}: a
 * cross-site form cannot set it.
 */
public final class ExplorerAccess {
    static final String COOKIE = "ledgerlb_explorer";
    static final String POST_HEADER = "X-Ledgerlb-Explorer";
    private static final List<String> LOOPBACK_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");

    private final Optional<byte[]> token;

    public ExplorerAccess(Optional<String> token) {
        this.token = token.map(t -> t.strip().getBytes(StandardCharsets.UTF_8));
        if (this.token.isPresent() && this.token.get().length < 16) {
            throw new IllegalArgumentException("the explorer token must be at least 16 characters long");
        }
    }

    /**
     * The access for an explorer listening on {@code bind}: beyond loopback only with a token.
     *
     * @throws IllegalArgumentException for a non-loopback bind without a token, or a token too short
     */
    public static ExplorerAccess forBind(InetAddress bind, Optional<String> token) {
        if (token.isEmpty() && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("the explorer on " + bind.getHostAddress()
                    + " is beyond loopback: it needs a token (a file holding a bearer token of 16+ characters)");
        }
        return new ExplorerAccess(token);
    }

    public boolean tokenRequired() {
        return token.isPresent();
    }

    /** Why the request may not read the API, or empty when it may. */
    Optional<String> refusal(HttpExchange exchange) {
        if (token.isEmpty()) {
            String host = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Host")).orElse("");
            String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                    : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
            return LOOPBACK_HOSTS.contains(name.toLowerCase()) || isLoopbackLiteral(name) ? Optional.empty()
                    : Optional.of("this explorer answers on loopback only (Host " + host + ")");
        }
        return presented(exchange).filter(this::matches).isPresent() ? Optional.empty()
                : Optional.of("a token is required: Authorization: Bearer <token>, or log in on the page");
    }

    boolean matches(String presented) {
        return token.isPresent()
                && MessageDigest.isEqual(token.get(), presented.strip().getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> presented(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(auth.substring(7));
        }
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String cookie : header.split(";")) {
                String c = cookie.strip();
                if (c.startsWith(COOKIE + "=")) {
                    return Optional.of(java.net.URLDecoder.decode(c.substring(COOKIE.length() + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return Optional.empty();
    }

    /** The Set-Cookie value that carries the token for the page's own requests (and its downloads and live feed). */
    static String cookie(String token) {
        return COOKIE + "=" + java.net.URLEncoder.encode(token.strip(), StandardCharsets.UTF_8)
                + "; Path=/explorer; HttpOnly; SameSite=Strict";
    }

    static boolean isLoopbackLiteral(String name) {
        // only literals, never a name to resolve: IPv4 bare, IPv6 in brackets
        boolean bracketed = name.startsWith("[") && name.endsWith("]");
        try {
            InetAddress ip = IpAddress.parseInet(bracketed ? name.substring(1, name.length() - 1) : name);
            return (ip instanceof Inet6Address) == bracketed && ip.isLoopbackAddress();
        } catch (InvalidAddressException e) {
            return false;
        }
    }
}
