package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.state.LedgerState;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "replay", description = "Folds the whole ledger from its first event (no snapshot), checking every link, "
        + "and compares the result with the newest snapshot's state where one covers the same point.")
final class ReplayCommand implements Callable<Integer> {
    @Mixin LedgerOptions ledger;
    @Spec CommandSpec spec;

    @Option(names = "--to", paramLabel = "SEQUENCE", description = "Stop at this sequence (default: the end).")
    Long to;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaLedger opened = ledger.openExisting()) {
            long end = to != null ? to : opened.lastSequence();
            LedgerState state = new LedgerState();
            long started = System.nanoTime();
            if (end > 0) {
                try (ProgressBar bar = new ProgressBar("replaying")) {
                    opened.readEntries(1, end, state::apply, bar);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("replayed %,d events in %.2f s: %d pools, %d IPs assigned, hash %s%n", state.sequence(), seconds,
                    state.pools().size(), state.assignedIpCount(), HexFormat.of().formatHex(state.lastHash()));
            if (state.sequence() < end) {
                out.printf("the ledger ends at sequence %d, before %d%n", state.sequence(), end);
                return LedgerlbCommand.FAILURE_FOUND;
            }
            if (end > 0 && !state.equals(opened.stateAt(end))) {
                out.println("MISMATCH: the snapshot-based state at " + end + " differs from the full replay");
                return LedgerlbCommand.FAILURE_FOUND;
            }
            out.println("the snapshot-based state at " + end + " equals the full replay");
        }
        out.flush();
        return LedgerlbCommand.OK;
    }
}
