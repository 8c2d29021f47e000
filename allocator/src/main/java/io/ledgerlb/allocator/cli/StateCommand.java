package io.ledgerlb.allocator.cli;

import io.ledgerlb.admin.v1.Assignment;
import io.ledgerlb.admin.v1.PoolUsage;
import io.ledgerlb.admin.v1.StateRequest;
import io.ledgerlb.admin.v1.StateResponse;
import io.ledgerlb.allocator.admin.LedgerQueries;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "state", description = "Who held which IP at a point of the ledger (a sequence number or a time), and the pools.")
final class StateCommand implements Callable<Integer> {
    @Mixin LedgerOptions ledger;
    @Mixin AdminOptions admin;
    @Spec CommandSpec spec;

    @Option(names = "--at", paramLabel = "SEQUENCE|TIME", description = "A sequence number or a time; default: the latest.")
    String at;
    @Option(names = "--json") boolean json;

    @Override
    public Integer call() throws Exception {
        StateResponse state = query();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("sequence", state.getSequence());
            view.put("lastHash", state.getLastHashHex());
            view.put("pools", state.getPoolsList().stream().map(p -> Map.of("name", p.getName(),
                    "addresses", p.getAddressesList(), "assigned", p.getAssigned(), "total", p.getTotal())).toList());
            view.put("assignments", state.getAssignmentsList().stream().map(a -> Map.of("service",
                    a.getNamespace() + "/" + a.getName(), "ip", a.getIp(), "pool", a.getPool(),
                    "sharingKey", a.getSharingKey())).toList());
            EventFormat.printJson(out, view);
        } else {
            out.printf("sequence %d, hash %s%n%n", state.getSequence(), state.getLastHashHex());
            out.printf("%-20s %-10s %-10s %s%n", "POOL", "ASSIGNED", "TOTAL", "ADDRESSES");
            for (PoolUsage p : state.getPoolsList()) {
                out.printf("%-20s %-10d %-10d %s%n", p.getName(), p.getAssigned(), p.getTotal(), p.getAddressesList());
            }
            out.println();
            out.printf("%-40s %-20s %-16s %s%n", "SERVICE", "IP", "POOL", "SHARING KEY");
            for (Assignment a : state.getAssignmentsList()) {
                out.printf("%-40s %-20s %-16s %s%n", a.getNamespace() + "/" + a.getName(), a.getIp(), a.getPool(),
                        a.getSharingKey());
            }
        }
        out.flush();
        return LedgerlbCommand.OK;
    }

    private StateResponse query() throws Exception {
        StateRequest.Builder request = StateRequest.newBuilder();
        Long sequence = null;
        Instant time = null;
        if (at != null && at.matches("\\d+")) {
            sequence = Long.parseLong(at);
            request.setAtSequence(sequence);
        } else if (at != null) {
            time = LedgerlbCommand.parseTime(at);
            request.setAtTime(com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(time.getEpochSecond()).setNanos(time.getNano()));
        }
        var connected = admin.connect();
        if (connected.isPresent()) {
            try (var a = connected.get()) {
                return a.call().state(request.build());
            }
        }
        try (KafkaLedger opened = ledger.openExisting()) {
            LedgerQueries queries = new LedgerQueries(opened, io.ledgerlb.allocator.controller.CoreAllocationStep.forCounting());
            long target = sequence != null ? sequence : time != null ? queries.sequenceAt(time) : opened.lastSequence();
            try (ProgressBar bar = new ProgressBar("replaying")) {
                return queries.describe(target == 0 ? new io.ledgerlb.ledger.state.LedgerState()
                        : opened.stateAt(target, bar));
            }
        }
    }
}
