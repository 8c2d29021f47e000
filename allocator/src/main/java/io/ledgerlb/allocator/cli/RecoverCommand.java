package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.RecoveryReport;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "recover", description = "Rebuilds the ledger topic from the SQLite journal (the same bytes, the same "
        + "hash chain). Stop the allocator first: recovery fences any writer.")
final class RecoverCommand implements Callable<Integer> {
    @Mixin LedgerOptions ledger;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(ledger.config().sqliteFile().orElseThrow())) {
            throw new ConfigException("no journal at " + ledger.config().sqliteFile().get());
        }
        PrintWriter out = spec.commandLine().getOut();
        RecoveryReport report;
        try (KafkaLedger opened = ledger.open(); ProgressBar bar = new ProgressBar("recovering")) {
            report = opened.recoverFromJournal(bar);
        }
        out.printf("recovered: %,d entries written, %,d were in the topic already; the ledger ends at sequence %d, hash %s%n",
                report.written(), report.alreadyInTopic(), report.lastSequence(), report.lastHashHex());
        out.flush();
        return LedgerlbCommand.OK;
    }
}
