package io.ledgerlb.allocator.cli;

import io.ledgerlb.admin.v1.TakeSnapshotRequest;
import io.ledgerlb.admin.v1.TakeSnapshotResponse;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.kafka.KafkaLedgerWriter;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "snapshot", description = "Snapshots of the state (SQLite and the snapshot topic).",
        subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class, SnapshotCommand.Verify.class})
final class SnapshotCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say create, list or verify");
    }

    @Command(name = "create", description = "Takes a snapshot: through the running allocator when one answers, "
            + "else directly (which fences any writer: stop the allocator first).")
    static final class Create implements Callable<Integer> {
        @Mixin LedgerOptions ledger;
        @Mixin AdminOptions admin;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            var connected = admin.connect();
            if (connected.isPresent()) {
                try (var a = connected.get()) {
                    TakeSnapshotResponse r = a.call().takeSnapshot(TakeSnapshotRequest.getDefaultInstance());
                    out.printf("snapshot of sequence %d in %s (%,d bytes, sha256 %s)%n", r.getSequence(), r.getLocation(),
                            r.getSizeBytes(), r.getSha256Hex());
                }
            } else {
                try (KafkaLedger opened = ledger.openExisting(); KafkaLedgerWriter writer = opened.openWriter("ledgerlb-cli")) {
                    SnapshotInfo info = writer.takeSnapshot(opened.stateAt(writer.lastSequence())).snapshot();
                    out.printf("snapshot of sequence %d in %s (%,d bytes, sha256 %s)%n", info.sequence(), info.location(),
                            info.sizeBytes(), info.sha256Hex());
                }
            }
            out.flush();
            return LedgerlbCommand.OK;
        }
    }

    @Command(name = "list", description = "Lists stored snapshots, newest first, each checked.")
    static final class ListSnapshots implements Callable<Integer> {
        @Mixin LedgerOptions ledger;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KafkaLedger opened = ledger.openExisting()) {
                print(out, opened.snapshots());
            }
            out.flush();
            return LedgerlbCommand.OK;
        }
    }

    @Command(name = "verify", description = "Checks every stored snapshot (checksum, format, on the chain); exit 1 if any is unusable.")
    static final class Verify implements Callable<Integer> {
        @Mixin LedgerOptions ledger;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<SnapshotInfo> snapshots;
            try (KafkaLedger opened = ledger.openExisting()) {
                snapshots = opened.snapshots();
            }
            print(out, snapshots);
            long bad = snapshots.stream().filter(s -> !s.usable()).count();
            out.printf("%d snapshots, %d unusable%n", snapshots.size(), bad);
            out.flush();
            return bad == 0 ? LedgerlbCommand.OK : LedgerlbCommand.FAILURE_FOUND;
        }
    }

    static void print(PrintWriter out, List<SnapshotInfo> snapshots) {
        out.printf("%-10s %-28s %-12s %-10s %s%n", "SEQUENCE", "LOCATION", "BYTES", "USABLE", "SHA256 / PROBLEM");
        for (SnapshotInfo s : snapshots) {
            out.printf("%-10d %-28s %-12d %-10s %s%n", s.sequence(), s.location(), s.sizeBytes(),
                    s.usable() ? "yes" : "NO", s.usable() ? s.sha256Hex() : s.problem());
        }
    }
}
