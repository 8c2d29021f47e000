package io.ledgerlb.allocator.cli;

import io.ledgerlb.ledger.event.LedgerFormatException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ledgerlb}: the allocator's main job and the tools around its ledger. Exit codes: 0 all
 * well, 1 a failure was found (a broken chain, drift, a refused Service in a plan, an error while
 * running), 2 a usage or configuration error.
 */
@Command(name = "ledgerlb", mixinStandardHelpOptions = true, version = "ledgerlb 0.1.0",
        scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand
        description = "A load balancer for bare-metal Kubernetes with an auditable, replayable ledger of IP assignments.",
        subcommands = {RunCommand.class, AuditCommand.class, StateCommand.class, ReplayCommand.class,
                SnapshotCommand.class, VerifyCommand.class, RecoverCommand.class, PlanCommand.class,
                ImportConfigMapCommand.class, LabCommand.class, RestoreModeCommand.class})
public final class LedgerlbCommand implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE_FOUND = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) {
            // the tools print their results on stdout; keep the libraries' chatter out of the way
            System.setProperty("ledgerlb.log.target", "System.err");
            System.setProperty("ledgerlb.log.level", "WARN");
            System.setProperty("ledgerlb.root.log.level", "WARN");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line with ledgerlb's exit codes and error messages. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LedgerlbCommand());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                err.println("ledgerlb: " + e.getMessage());
                return USAGE;
            }
            Optional<Throwable> kafkaConfig = causes(e)
                    .filter(c -> c instanceof org.apache.kafka.common.config.ConfigException).findFirst();
            if (kafkaConfig.isPresent()) {
                err.println("ledgerlb: invalid Kafka client setting (--kafka-property, --kafka-bootstrap): "
                        + kafkaConfig.get().getMessage());
                return USAGE;
            }
            if (e instanceof LedgerFormatException) {
                err.println("ledgerlb: the ledger is broken: " + e.getMessage());
                return FAILURE_FOUND;
            }
            err.println("ledgerlb: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILURE_FOUND;
        });
        return cli;
    }

    /** The exception and its causes, outermost first. */
    static Stream<Throwable> causes(Throwable e) {
        return Stream.iterate(e, c -> c != null, Throwable::getCause);
    }

    /** An ISO instant ({@code 2026-12-01T10:00:00Z}) or a date ({@code 2026-12-01}, midnight UTC). */
    static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new ConfigException("not a time: '" + text + "' (use 2026-12-01T10:00:00Z or 2026-12-01)");
            }
        }
    }
}
