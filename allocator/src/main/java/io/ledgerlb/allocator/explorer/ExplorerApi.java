package io.ledgerlb.allocator.explorer;

import io.ledgerlb.allocator.admin.AuditQuery;
import io.ledgerlb.allocator.admin.Holding;
import io.ledgerlb.allocator.admin.HoldingsPage;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.allocator.admin.PoolView;
import io.ledgerlb.allocator.admin.StateDiff;
import io.ledgerlb.allocator.admin.TimelinePage;
import io.ledgerlb.allocator.admin.WaitingRefusal;
import io.ledgerlb.allocator.cli.EventFormat;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.net.IpAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The explorer's views, each a JSON object and a table (its CSV export), computed through
 * {@link LedgerQueries} — the queries the CLI and the admin API run — and paged: a view reads
 * what it shows, not the whole ledger.
 */
public final class ExplorerApi {
    static final int TIMELINE_PAGE = 200;
    static final int HOLDERS_PAGE = 100;
    /** The most rows an export holds (a timeline of a busy pool can hold a million). */
    static final int EXPORT_LIMIT = 100_000;

    /** What a request asked for that cannot be answered: the message is for the user. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** A view: the JSON answer, and the rows of its table for CSV. */
    record View(String name, Map<String, Object> json, List<Map<String, Object>> rows) {}

    private final LedgerQueries queries;
    private final LiveHead live;
    private final VerifyJob verify;
    private final boolean tokenRequired;

    public ExplorerApi(LedgerQueries queries, LiveHead live, boolean tokenRequired) {
        this.queries = queries;
        this.live = live;
        this.verify = new VerifyJob(queries);
        this.tokenRequired = tokenRequired;
    }

    // ---- views

    View head() throws LedgerFormatException {
        long[] sequence = {0};
        String hash = live.withState(s -> {
            sequence[0] = s.sequence();
            return HexFormat.of().formatHex(s.lastHash());
        });
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sequence", sequence[0]);
        json.put("hash", hash);
        json.put("time", queries.timeOf(sequence[0]).map(Instant::toString).orElse(null));
        json.put("firstTime", queries.firstTime().map(Instant::toString).orElse(null));
        Optional<LedgerEntry> headEntry = sequence[0] == 0 ? Optional.empty() : queries.entry(sequence[0]).filter(LedgerEntry::signed);
        json.put("signature", headEntry.map(e -> HexFormat.of().formatHex(e.signature())).orElse(null));
        json.put("keyId", headEntry.map(e -> HexFormat.of().formatHex(e.keyId())).orElse(null));
        json.put("liveBroken", live.broken().orElse(null));
        json.put("verify", verify.status());
        json.put("tokenRequired", tokenRequired);
        return new View("head", json, List.of(row("sequence", sequence[0], "hash", hash, "time", json.get("time"),
                "signature", json.get("signature"), "keyId", json.get("keyId"))));
    }

    View pools() throws LedgerFormatException {
        List<WaitingRefusal> waiting = queries.waiting();
        Map<String, Object> json = new LinkedHashMap<>();
        List<PoolView> views = live.withState(s -> {
            json.put("sequence", s.sequence());
            return queries.pools(s);
        });
        List<String> poolNames = views.stream().map(PoolView::name).toList();
        List<Map<String, Object>> waitingRows = waiting.stream().map(w -> waiting(w, poolNames)).toList();
        Map<String, Long> waitingPerPool = waitingRows.stream().flatMap(w -> ((List<?>) w.get("pools")).stream())
                .collect(java.util.stream.Collectors.groupingBy(String::valueOf, java.util.stream.Collectors.counting()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PoolView p : views) {
            Map<String, Object> pool = pool(p);
            pool.put("waiting", waitingPerPool.getOrDefault(p.name(), 0L));
            rows.add(pool);
        }
        json.put("pools", rows);
        json.put("waiting", waitingRows);
        return new View("pools", json, rows);
    }

    View pool(Map<String, String> params) throws LedgerFormatException {
        String name = required(params, "name");
        String filter = params.getOrDefault("q", "").strip();
        Page page = Page.ofTable(params, HOLDERS_PAGE);
        Map<String, Object> json = new LinkedHashMap<>();
        HoldingsPage holders = live.withState(s -> {
            PoolView found = queries.pools(s).stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> new BadRequest(404, "no pool named '" + name + "' at sequence " + s.sequence()
                            + " (a removed pool's history is in its timeline)"));
            json.put("sequence", s.sequence());
            json.put("pool", pool(found));
            return queries.holdings(s, h -> h.pool().equals(name) && matches(h, filter), page.offset(), page.limit());
        });
        List<Map<String, Object>> items = holders.items().stream().map(ExplorerApi::holding).toList();
        json.put("holders", row("total", holders.total(), "offset", holders.offset(), "items", items));
        List<String> names = List.of(name);
        json.put("waiting", queries.waiting().stream().filter(w -> w.names(name)).map(w -> waiting(w, names)).toList());
        return new View("pool-" + name, json, items);
    }

    View timeline(Map<String, String> params) throws LedgerFormatException {
        Optional<String> ip = optional(params, "ip");
        Optional<String> service = optional(params, "service");
        Optional<String> pool = optional(params, "pool");
        if (ip.isPresent() && service.isPresent() || ip.isPresent() && pool.isPresent() || service.isPresent() && pool.isPresent()) {
            throw new BadRequest(400, "ask about one of ip, service or pool");
        }
        ip.ifPresent(ExplorerApi::checkIp);
        Optional<ServiceKey> serviceKey = service.map(ExplorerApi::serviceKey);
        Optional<Instant> since = optional(params, "since").map(t -> time("since", t));
        Optional<Instant> until = optional(params, "until").map(t -> time("until", t));
        if (since.isPresent() && until.isPresent() && since.get().isAfter(until.get())) {
            throw new BadRequest(400, "since (" + since.get() + ") is after until (" + until.get() + ")");
        }
        Page page = Page.of(params, TIMELINE_PAGE);
        long before = number(params, "before", 0);
        AuditQuery query = new AuditQuery(serviceKey, ip, pool, since, until);
        TimelinePage found = queries.timeline(query, before, page.limit());
        String subject = ip.map(i -> "IP " + i).or(() -> service.map(s -> "Service " + s))
                .or(() -> pool.map(p -> "pool " + p)).orElse("the ledger");
        if (found.entries().isEmpty() && before == 0 && !query.subjects().isEmpty()) {
            AuditQuery ever = new AuditQuery(serviceKey, ip, pool, Optional.empty(), Optional.empty());
            if (queries.timeline(ever, 0, 1).entries().isEmpty()) {
                throw new BadRequest(404, "no event in the ledger concerns " + subject);
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("subject", subject);
        json.put("since", since.map(Instant::toString).orElse(null));
        json.put("until", until.map(Instant::toString).orElse(null));
        List<Map<String, Object>> entries = found.entries().stream().map(ExplorerApi::entry).toList();
        json.put("entries", entries);
        json.put("more", found.more());
        json.put("nextBefore", found.more() && !found.entries().isEmpty() ? found.entries().get(0).sequence() : null);
        json.put("indexed", found.indexed());
        String name = ip.map(i -> "ip-" + i).or(() -> service.map(s -> "service-" + s.replace('/', '_')))
                .or(() -> pool.map(p -> "pool-" + p)).orElse("ledger");
        return new View("timeline-" + name, json, entries.stream().map(ExplorerApi::flat).toList());
    }

    View state(Map<String, String> params) throws LedgerFormatException {
        long sequence = point(params.getOrDefault("at", ""), "at");
        String filter = params.getOrDefault("q", "").strip();
        Page page = Page.ofTable(params, HOLDERS_PAGE);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("head", live.sequence());
        HoldingsPage holdings = atState(sequence, s -> {
            json.put("sequence", s.sequence());
            json.put("hash", HexFormat.of().formatHex(s.lastHash()));
            json.put("pools", queries.pools(s).stream().map(ExplorerApi::pool).toList());
            return queries.holdings(s, filter.isEmpty() ? LedgerQueries.EVERY_HOLDING : h -> matches(h, filter),
                    page.offset(), page.limit());
        });
        json.put("time", queries.timeOf(sequence).map(Instant::toString).orElse(null));
        List<Map<String, Object>> items = holdings.items().stream().map(ExplorerApi::holding).toList();
        json.put("holdings", row("total", holdings.total(), "offset", holdings.offset(), "items", items));
        return new View("state-" + sequence, json, items);
    }

    View diff(Map<String, String> params) throws LedgerFormatException {
        long from = point(required(params, "from"), "from");
        long to = point(required(params, "to"), "to");
        StateDiff diff = queries.diff(from, to, 500);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("from", diff.from());
        json.put("to", diff.to());
        json.put("fromTime", queries.timeOf(diff.from()).map(Instant::toString).orElse(null));
        json.put("toTime", queries.timeOf(diff.to()).map(Instant::toString).orElse(null));
        List<Map<String, Object>> changes = diff.changes().stream().map(c -> row("kind", c.kind().name().toLowerCase(),
                "service", c.service().toString(), "before", String.join(" ", c.before()),
                "after", String.join(" ", c.after()), "pool", c.pool(), "sequence", "", "why", "")).toList();
        json.put("changes", changes);
        List<Map<String, Object>> refused = diff.refused().stream().map(ExplorerApi::entry).toList();
        json.put("refused", refused);
        json.put("refusedTotal", diff.refusedTotal());
        List<Map<String, Object>> rows = new ArrayList<>(changes);
        diff.refused().forEach(e -> {
            EventFormat.Row r = EventFormat.row(e.event());
            rows.add(row("kind", "refused", "service", r.subject(), "before", "", "after", "", "pool", "",
                    "sequence", r.sequence(), "why", r.why()));
        });
        return new View("diff-" + diff.from() + "-" + diff.to(), json, rows);
    }

    Map<String, Object> verifyStatus() {
        return verify.status();
    }

    /** The new verification's status as it started, or empty when one already runs. */
    Optional<Map<String, Object>> startVerify() {
        return verify.start();
    }

    // ---- points, states and parameters

    /** A point of the ledger: empty (the head), a sequence, or a time (the last entry at or before it). */
    long point(String at, String name) throws LedgerFormatException {
        long head = live.sequence();
        if (at.isBlank()) {
            return head;
        }
        if (at.strip().matches("\\d{1,18}")) {
            long sequence = Long.parseLong(at.strip());
            long last = Math.max(head, queries.lastSequence());
            if (sequence > last) {
                throw new BadRequest(400, name + ": the ledger ends at sequence " + last + ", before " + sequence);
            }
            return sequence;
        }
        Instant time = time(name, at);
        Optional<Instant> first = queries.firstTime();
        if (first.isEmpty()) {
            throw new BadRequest(400, name + ": the ledger is empty");
        }
        if (time.isBefore(first.get())) {
            throw new BadRequest(400, name + ": " + time + " is before the ledger began (" + first.get() + ")");
        }
        return queries.sequenceAt(time);
    }

    private <T> T atState(long sequence, Function<LedgerState, T> read) throws LedgerFormatException {
        T atHead = live.withState(s -> s.sequence() == sequence ? read.apply(s) : null);
        if (atHead != null) {
            return atHead;
        }
        return read.apply(queries.stateAt(sequence)); // which keeps the slider's recent points
    }

    static Instant time(String name, String text) {
        String t = text.strip();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC); // a browser's datetime-local, read as UTC
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new BadRequest(400, name + ": not a time or sequence: '" + text
                            + "' (use 2026-12-01T10:00:00Z, 2026-12-01 or a sequence number)");
                }
            }
        }
    }

    private static void checkIp(String ip) {
        try {
            IpAddress.parse(ip);
        } catch (RuntimeException e) {
            throw new BadRequest(400, "not an IP address: '" + ip + "'");
        }
    }

    private static ServiceKey serviceKey(String text) {
        try {
            return ServiceKey.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "service: " + e.getMessage());
        }
    }

    static String required(Map<String, String> params, String name) {
        return optional(params, name).orElseThrow(() -> new BadRequest(400, "missing parameter '" + name + "'"));
    }

    static Optional<String> optional(Map<String, String> params, String name) {
        return Optional.ofNullable(params.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    static long number(Map<String, String> params, String name, long otherwise) {
        Optional<String> value = optional(params, name);
        if (value.isEmpty()) {
            return otherwise;
        }
        if (!value.get().matches("\\d{1,18}")) {
            throw new BadRequest(400, name + ": not a number: '" + value.get() + "'");
        }
        return Long.parseLong(value.get());
    }

    /** Which slice of a list a request wants; {@code all=1} (an export) wants everything, up to the export limit. */
    record Page(int offset, int limit) {
        static Page of(Map<String, String> params, int defaultLimit) {
            if ("1".equals(params.get("all"))) {
                return new Page(0, EXPORT_LIMIT);
            }
            long limit = number(params, "limit", defaultLimit);
            if (limit < 1 || limit > EXPORT_LIMIT) {
                throw new BadRequest(400, "limit: between 1 and " + EXPORT_LIMIT + ", got " + limit);
            }
            return new Page((int) Math.min(Integer.MAX_VALUE, number(params, "offset", 0)), (int) limit);
        }

        /** For a table of holdings: its CSV is the whole table (up to the export limit), its JSON one page. */
        static Page ofTable(Map<String, String> params, int defaultLimit) {
            return "csv".equals(params.get("format")) ? new Page(0, EXPORT_LIMIT) : of(params, defaultLimit);
        }
    }

    // ---- JSON shapes

    private static boolean matches(Holding h, String filter) {
        return filter.isEmpty() || h.service().toString().contains(filter) || h.ip().contains(filter);
    }

    private static Map<String, Object> pool(PoolView p) {
        return row("name", p.name(), "addresses", String.join(" ", p.addresses()), "autoAssign", p.autoAssign(),
                "assigned", p.assigned(), "free", p.total() - p.assigned(), "total", p.total());
    }

    private static Map<String, Object> holding(Holding h) {
        return row("service", h.service().toString(), "ip", h.ip(), "pool", h.pool(), "sharingKey", h.sharingKey());
    }

    private static Map<String, Object> waiting(WaitingRefusal w, List<String> pools) {
        return row("service", w.service().toString(), "sequence", w.sequence(), "time", w.time().toString(),
                "reason", w.reason(), "message", w.message(),
                "pools", w.namedPools(pools));
    }

    /** An entry as the CLI's JSON shows its event, plus what anyone needs to check it: its hashes. */
    static Map<String, Object> entry(LedgerEntry entry) {
        Event e = entry.event();
        Map<String, Object> json = EventFormat.json(e);
        json.put("service", switch (e.getBodyCase()) {
            case IP_ASSIGNED, IP_RELEASED, ALLOCATION_REFUSED, WAIT_ENDED -> EventFormat.row(e).subject();
            default -> "";
        });
        json.put("hash", entry.hashHex());
        json.put("prevHash", HexFormat.of().formatHex(entry.prevHash()));
        return json;
    }

    /** An entry's JSON without the nested cause, for a CSV row. */
    private static Map<String, Object> flat(Map<String, Object> entry) {
        Map<String, Object> row = new LinkedHashMap<>(entry);
        Object cause = row.remove("cause");
        if (cause instanceof Map<?, ?> c) {
            row.put("cause", c.get("kind") + "/" + (c.get("namespace").toString().isEmpty() ? "" : c.get("namespace") + "/")
                    + c.get("name") + " " + c.get("reason"));
        }
        return row;
    }

    static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

}
