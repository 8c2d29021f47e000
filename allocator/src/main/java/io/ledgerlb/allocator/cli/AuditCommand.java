package io.ledgerlb.allocator.cli;

import io.ledgerlb.allocator.admin.AuditQuery;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.ServiceKey;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "audit", description = "The ledger's history of a Service, an IP or a pool: who held what, when, and why.")
final class AuditCommand implements Callable<Integer> {
    @Mixin LedgerOptions ledger;
    @Mixin AdminOptions admin;
    @Spec CommandSpec spec;

    @Option(names = "--service", paramLabel = "NAMESPACE/NAME") String service;
    @Option(names = "--ip") String ip;
    @Option(names = "--pool") String pool;
    @Option(names = "--since", paramLabel = "TIME", description = "From this time (2026-12-01T10:00:00Z or 2026-12-01).") String since;
    @Option(names = "--until", paramLabel = "TIME") String until;
    @Option(names = "--json", description = "JSON instead of a table.") boolean json;

    @Override
    public Integer call() throws Exception {
        if (service == null && ip == null && pool == null && since == null && until == null) {
            throw new ConfigException("say what to audit: --service, --ip, --pool and/or --since/--until");
        }
        AuditQuery query = new AuditQuery(Optional.ofNullable(service).map(ServiceKey::parse), Optional.ofNullable(ip),
                Optional.ofNullable(pool), Optional.ofNullable(since).map(LedgerlbCommand::parseTime),
                Optional.ofNullable(until).map(LedgerlbCommand::parseTime));
        List<Event> events = run(query);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            EventFormat.printJson(out, events.stream().map(EventFormat::json).toList());
        } else {
            EventFormat.table(out, events);
        }
        out.flush();
        return LedgerlbCommand.OK;
    }

    private List<Event> run(AuditQuery query) throws Exception {
        var connected = admin.connect();
        if (connected.isPresent()) {
            try (var a = connected.get()) {
                return a.call().audit(query.toRequest()).getEventsList();
            }
        }
        try (KafkaLedger opened = ledger.openExisting()) {
            return new LedgerQueries(opened, io.ledgerlb.allocator.controller.CoreAllocationStep.forCounting()).audit(query);
        }
    }
}
