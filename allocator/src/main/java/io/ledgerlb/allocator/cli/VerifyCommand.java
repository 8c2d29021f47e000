package io.ledgerlb.allocator.cli;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.allocator.k8s.adapter.ClusterDrift;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.sqlite.AuditIndex;
import io.ledgerlb.ledger.sqlite.LedgerDatabase;
import io.ledgerlb.ledger.state.LedgerState;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", description = "Walks the hash chain of the ledger topic and of the SQLite journal, and checks "
        + "the audit index against the journal; with "
        + "--cluster, also compares every Service's status with the ledger. Exit 1 when anything is off.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin LedgerOptions ledger;
    @Spec CommandSpec spec;

    @Option(names = "--cluster", description = "Also check Services' status.loadBalancer.ingress against the ledger.")
    boolean cluster;

    @Option(names = "--rebuild-index", description = "First rebuild the SQLite audit index from the journal.")
    boolean rebuildIndex;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The cluster to check (default: $KUBECONFIG, ~/.kube/config, or DATA/kubeconfig).")
    Path kubeconfig;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = true;
        try (KafkaLedger opened = ledger.openExisting()) {
            ChainReport log;
            try (ProgressBar bar = new ProgressBar("verifying the topic")) {
                log = opened.verifyLog(bar);
            }
            out.println(log);
            ok &= log.intact();
            if (opened.database().isPresent()) {
                ChainReport journal;
                try (ProgressBar bar = new ProgressBar("verifying the journal")) {
                    journal = opened.verifyJournal(bar);
                }
                out.println(journal);
                ok &= journal.intact();
                AuditIndex index = ((LedgerDatabase) opened.database().get()).auditIndex();
                if (rebuildIndex) {
                    out.printf("audit index: rebuilt from %d journaled entries%n", index.rebuild());
                }
                AuditIndex.Report indexReport = index.verify();
                out.println(indexReport);
                ok &= indexReport.intact();
            }
            if (cluster) {
                LedgerState state = opened.stateAt(log.lastSequence());
                try (KubernetesClient client = client()) {
                    List<Service> services = client.services().inAnyNamespace().list().getItems();
                    List<ClusterDrift.Drift> drift = ClusterDrift.between(state, services);
                    drift.forEach(d -> out.println("DRIFT " + d));
                    out.printf("%d Services checked against sequence %d: %d drifted%n", services.size(),
                            state.sequence(), drift.size());
                    ok &= drift.isEmpty();
                }
            }
        }
        out.flush();
        return ok ? LedgerlbCommand.OK : LedgerlbCommand.FAILURE_FOUND;
    }

    private KubernetesClient client() throws Exception {
        Path file = kubeconfig;
        if (file == null && System.getenv("KUBECONFIG") == null
                && !Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"))) {
            file = ledger.dataDir.resolve("kubeconfig");
        }
        if (file == null) {
            return new KubernetesClientBuilder().build();
        }
        if (!Files.exists(file)) {
            throw new ConfigException("no kubeconfig at " + file);
        }
        return new KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(file))).build();
    }
}
