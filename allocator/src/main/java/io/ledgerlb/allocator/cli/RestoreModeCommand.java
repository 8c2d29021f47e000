package io.ledgerlb.allocator.cli;

import io.grpc.StatusRuntimeException;
import io.ledgerlb.admin.v1.Reservation;
import io.ledgerlb.admin.v1.RestoreRequest;
import io.ledgerlb.admin.v1.RestoreResponse;
import io.ledgerlb.allocator.controller.RestoreStatus;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", description = "Restore mode, for a cluster rebuilt from a backup (or a new one) whose "
        + "Services are applied again in any order: every Service the ledger holds IPs for keeps them until it "
        + "reappears (same namespace/name) or is released; new Services get other IPs. Recorded in the ledger.",
        subcommands = {RestoreModeCommand.Start.class, RestoreModeCommand.Status.class,
                RestoreModeCommand.Release.class, RestoreModeCommand.End.class})
final class RestoreModeCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say start, status, release or end");
    }

    @Command(name = "start", description = "Turns restore mode on, through the running allocator (or start it with "
            + "`ledgerlb run --restore`).")
    static final class Start implements Callable<Integer> {
        @Mixin AdminOptions admin;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return command(spec, admin, RestoreRequest.newBuilder().setAction(RestoreRequest.Action.START).build(),
                    "restore mode is on");
        }
    }

    @Command(name = "status", description = "Whether restore mode is on, and the Services still missing with the IPs "
            + "kept for them: from the running allocator, else read from the ledger.")
    static final class Status implements Callable<Integer> {
        @Mixin LedgerOptions ledger;
        @Mixin AdminOptions admin;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "JSON instead of text.") boolean json;

        @Override
        public Integer call() throws Exception {
            RestoreResponse status = query();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("restoring", status.getRestoring());
                view.put("sequence", status.getSequence());
                view.put("missing", status.getMissingList().stream().map(r -> Map.of(
                        "service", r.getNamespace() + "/" + r.getName(), "ips", r.getIpsList())).toList());
                EventFormat.printJson(out, view);
            } else {
                print(out, status);
            }
            out.flush();
            return LedgerlbCommand.OK;
        }

        private RestoreResponse query() throws Exception {
            var connected = admin.connect();
            if (connected.isPresent()) {
                try (var a = connected.get()) {
                    return a.call().restore(RestoreRequest.getDefaultInstance());
                }
            }
            try (KafkaLedger opened = ledger.openExisting()) {
                long last = opened.lastSequence();
                return io.ledgerlb.allocator.admin.AdminService.restoreResponse(
                        RestoreStatus.of(last == 0 ? new LedgerState() : opened.stateAt(last)));
            }
        }
    }

    @Command(name = "release", description = "Gives up waiting for a missing Service: its IPs are released "
            + "(and may go to Services waiting for one).")
    static final class Release implements Callable<Integer> {
        @Mixin AdminOptions admin;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAMESPACE/NAME") String service;

        @Override
        public Integer call() {
            ServiceKey key = ServiceKey.parse(service);
            return command(spec, admin, RestoreRequest.newBuilder().setAction(RestoreRequest.Action.RELEASE)
                    .setService(key.toString()).build(), "released the reservation of " + key);
        }
    }

    @Command(name = "end", description = "Turns restore mode off; the Services still missing are released as deleted.")
    static final class End implements Callable<Integer> {
        @Mixin AdminOptions admin;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return command(spec, admin, RestoreRequest.newBuilder().setAction(RestoreRequest.Action.END).build(),
                    "restore mode is off");
        }
    }

    /** A command only the leading allocator can carry out: it writes the ledger. */
    private static int command(CommandSpec spec, AdminOptions admin, RestoreRequest request, String done) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var connected = admin.connect();
        if (connected.isEmpty()) {
            err.println("ledgerlb: restore " + request.getAction().name().toLowerCase() + " needs the running allocator, "
                    + "and none answers at --admin " + admin.target
                    + (request.getAction() == RestoreRequest.Action.START ? " (or start it with `ledgerlb run --restore`)" : ""));
            err.flush();
            return LedgerlbCommand.FAILURE_FOUND;
        }
        try (var a = connected.get()) {
            RestoreResponse response = a.call().restore(request);
            out.println(done + (response.getReleasedIpsCount() == 0 ? "" : "; released " + response.getReleasedIpsList()));
            print(out, response);
            out.flush();
            return LedgerlbCommand.OK;
        } catch (StatusRuntimeException e) {
            err.println("ledgerlb: restore " + request.getAction().name().toLowerCase() + ": "
                    + (e.getStatus().getDescription() == null ? e.getStatus().getCode() : e.getStatus().getDescription()));
            err.flush();
            return e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT ? LedgerlbCommand.USAGE
                    : LedgerlbCommand.FAILURE_FOUND;
        }
    }

    static void print(PrintWriter out, RestoreResponse status) {
        List<Reservation> missing = status.getMissingList();
        out.printf("restore mode %s at sequence %d; %d Services missing%n", status.getRestoring() ? "on" : "off",
                status.getSequence(), missing.size());
        if (!missing.isEmpty()) {
            out.printf("%-48s %s%n", "MISSING SERVICE", "RESERVED IPS");
            missing.forEach(r -> out.printf("%-48s %s%n", r.getNamespace() + "/" + r.getName(),
                    String.join(",", r.getIpsList())));
        }
    }
}
