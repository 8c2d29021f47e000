package io.ledgerlb.allocator.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.ledgerlb.allocator.legacy.ConfigMapImportException;
import io.ledgerlb.allocator.legacy.ConfigMapImporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "import-configmap", description = "Turns a pre-0.13 MetalLB ConfigMap (address-pools, peers, ...) into "
        + "the MetalLB resources: prints them as YAML, or creates them in the cluster with --apply.")
final class ImportConfigMapCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The ConfigMap manifest, or its bare config; - for stdin.")
    String file;
    @Option(names = "--apply", description = "Create (or update) the resources in the cluster instead of printing them.")
    boolean apply;
    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The cluster for --apply (default: the usual kubeconfig).")
    Path kubeconfig;

    @Override
    public Integer call() throws IOException {
        String yaml = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : readFile(Path.of(file));
        List<HasMetadata> objects;
        try {
            objects = ConfigMapImporter.importConfigMap(yaml);
        } catch (ConfigMapImportException e) {
            throw new ConfigException("cannot import " + file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!apply) {
            out.print(ConfigMapImporter.toYaml(objects));
        } else {
            try (KubernetesClient client = kubeconfig == null ? new KubernetesClientBuilder().build()
                    : new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(
                            null, Files.readString(kubeconfig), kubeconfig.toString())).build()) {
                for (HasMetadata object : objects) {
                    client.resource(object).createOr(NonDeletingOperation::update);
                    out.printf("%s/%s %s applied%n", object.getKind(), object.getMetadata().getNamespace(),
                            object.getMetadata().getName());
                }
            }
        }
        out.flush();
        return LedgerlbCommand.OK;
    }

    private static String readFile(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("no such file: " + path);
        }
        return Files.readString(path);
    }
}
