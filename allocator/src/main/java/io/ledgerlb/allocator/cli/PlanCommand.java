package io.ledgerlb.allocator.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ledgerlb.allocator.controller.AllocationStep;
import io.ledgerlb.allocator.controller.AllocationStep.Decision;
import io.ledgerlb.allocator.controller.CoreAllocationStep;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", description = "A dry run without a cluster: MetalLB resources and Services from YAML files "
        + "through the same allocation step the allocator runs; prints the IPs each Service would get. "
        + "Exit 1 when a resource is refused or a Service gets no IP.")
final class PlanCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "YAML with IPAddressPools (and other MetalLB kinds), Namespaces and Services; repeatable.")
    List<Path> files;
    @Option(names = "--load-balancer-class", description = "The class served (default: Services without a class).")
    String loadBalancerClass;
    @Option(names = "--json") boolean json;

    /** One line of the plan. */
    record Line(String object, List<String> ips, String pool, String result) {}

    @Override
    public Integer call() throws IOException {
        List<GenericKubernetesResource> docs = read(files);
        List<String> unknown = docs.stream()
                .filter(d -> MetalLbKinds.ofKind(d.getKind()).isEmpty() && !PLAIN_KINDS.contains(d.getKind()))
                .map(d -> d.getKind() + "/" + (d.getMetadata() == null ? "?" : d.getMetadata().getName())).toList();
        if (!unknown.isEmpty()) {
            spec.commandLine().getErr().println("plan: cannot plan " + String.join(", ", unknown)
                    + ": it understands the MetalLB kinds, Namespaces and Services only");
            spec.commandLine().getErr().flush();
            return LedgerlbCommand.USAGE;
        }
        Map<MetalLbKinds, List<GenericKubernetesResource>> configs = new LinkedHashMap<>();
        docs.forEach(d -> MetalLbKinds.ofKind(d.getKind())
                .ifPresent(k -> configs.computeIfAbsent(k, x -> new ArrayList<>()).add(d)));
        Map<String, Map<String, String>> namespaceLabels = docs.stream().filter(d -> "Namespace".equals(d.getKind()))
                .collect(Collectors.toMap(d -> d.getMetadata().getName(),
                        d -> d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels(), (a, b) -> b));
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<Service> services = docs.stream().filter(d -> "Service".equals(d.getKind()))
                .map(d -> serialization.convertValue(d, Service.class)).toList();

        AllocationStep step = new CoreAllocationStep("plan", loadBalancerClass, k -> configs.getOrDefault(k, List.of()));
        LedgerState state = new LedgerState();
        Instant now = Instant.now();
        List<Line> lines = new ArrayList<>();
        boolean ok = true;
        for (MetalLbKinds kind : MetalLbKinds.IN_DEPENDENCY_ORDER) {
            for (GenericKubernetesResource r : configs.getOrDefault(kind, List.of())) {
                Decision d = step.config(state, kind, r, cause(kind.kind(), r.getMetadata().getNamespace(),
                        r.getMetadata().getName()), now);
                fold(state, step, d.events());
                ok &= d.invalid().isEmpty();
                lines.add(new Line(kind.kind() + "/" + r.getMetadata().getName(), List.of(), "",
                        d.invalid().map(why -> "INVALID " + why).orElse("defined")));
            }
        }
        for (Service s : services) {
            if (s.getMetadata().getNamespace() == null) {
                s.getMetadata().setNamespace("default");
            }
            ServiceKey key = new ServiceKey(s.getMetadata().getNamespace(), s.getMetadata().getName());
            Decision d = step.service(state, s, namespaceLabels.getOrDefault(key.namespace(), Map.of()),
                    cause("Service", key.namespace(), key.name()), now);
            List<LedgerEntry> folded = fold(state, step, d.events());
            List<IpAssigned> held = List.copyOf(state.assignmentsOf(key));
            String refused = folded.stream().map(LedgerEntry::event).filter(Event::hasAllocationRefused)
                    .map(e -> e.getAllocationRefused().getReason() + ": " + e.getAllocationRefused().getMessage())
                    .findFirst().orElse(null);
            boolean ours = "LoadBalancer".equals(s.getSpec().getType());
            ok &= refused == null;
            lines.add(new Line("Service/" + key, held.stream().map(IpAssigned::getIp).toList(),
                    held.isEmpty() ? "" : held.get(0).getPool(),
                    refused != null ? "REFUSED " + refused : held.isEmpty() ? (ours ? "no IP" : "not ours") : "allocated"));
        }
        print(lines);
        return ok ? LedgerlbCommand.OK : LedgerlbCommand.FAILURE_FOUND;
    }

    /** The kinds other than MetalLB's that a plan reads. */
    private static final java.util.Set<String> PLAIN_KINDS = java.util.Set.of("Namespace", "Service");

    /** Seals and folds the events as the ledger would once committed: the only way the state changes. */
    static List<LedgerEntry> fold(LedgerState state, AllocationStep step, List<Event> events) {
        List<LedgerEntry> entries = new ArrayList<>();
        for (Event event : events) {
            LedgerEntry entry = LedgerEntry.seal(event.toBuilder().setSequence(state.sequence() + 1)
                    .setPrevHash(ByteString.copyFrom(state.lastHash())).build());
            state.apply(entry);
            step.applied(entry, state);
            entries.add(entry);
        }
        return entries;
    }

    private void print(List<Line> lines) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            EventFormat.printJson(out, lines);
        } else {
            out.printf("%-48s %-34s %-16s %s%n", "OBJECT", "IPS", "POOL", "RESULT");
            lines.forEach(l -> out.printf("%-48s %-34s %-16s %s%n", l.object(), String.join(",", l.ips()), l.pool(),
                    l.result()));
        }
        out.flush();
    }

    private static Cause cause(String kind, String namespace, String name) {
        return Cause.newBuilder().setKind(kind).setNamespace(namespace == null ? "" : namespace).setName(name)
                .setReason("Plan").build();
    }

    static List<GenericKubernetesResource> read(List<Path> files) throws IOException {
        YAMLMapper yaml = new YAMLMapper(new YAMLFactory());
        List<GenericKubernetesResource> docs = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("no such file: " + file);
            }
            try (MappingIterator<GenericKubernetesResource> it = yaml.readerFor(GenericKubernetesResource.class)
                    .readValues(file.toFile())) {
                while (it.hasNext()) {
                    GenericKubernetesResource doc = it.next();
                    if (doc != null && doc.getKind() != null) {
                        docs.add(doc);
                    }
                }
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new ConfigException(file + " is not valid YAML: " + e.getOriginalMessage());
            }
        }
        return docs;
    }
}
