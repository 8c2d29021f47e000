package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.k8s.adapter.ServiceWriteBack;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.health.Health.Status;
import io.ledgerlb.kube.health.HealthEvents;
import io.ledgerlb.kube.health.LedgerFreshness;
import io.ledgerlb.kube.health.Supervisor.Part;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The allocator's parts, as {@code /readyz}, {@code ledgerlb_allocator_component_up{component}}, the
 * WARN lines and the Pod's Events report them ({@link io.ledgerlb.kube.health.Health}):
 * <ul>
 *   <li>{@code informers}: the Service, Namespace and MetalLB informers have synced;</li>
 *   <li>{@code leadership}: this instance leads, or knows who does;</li>
 *   <li>{@code chain}: the ledger's chain is not broken (a broken one keeps this instance from leading);</li>
 *   <li>{@code ledger}: the folded state is fresh ({@link LedgerFreshness}, as in the speaker; a standby
 *       folds nothing, so for it only whether Kafka answers counts);</li>
 *   <li>{@code ledger-appends}: the leader's last append did not fail (else its batch waits for a retry).</li>
 * </ul>
 * The admin API and the explorer add theirs where they are started.
 */
public final class AllocatorHealth {
    private AllocatorHealth() {}

    /** The ledger freshness of {@code controller}: its committed sequence while it leads. */
    public static LedgerFreshness freshness(java.util.concurrent.Callable<Long> ledgerEnd, AllocatorController controller,
            java.time.Duration bound) {
        return new LedgerFreshness(ledgerEnd, () -> controller.leading()
                ? OptionalLong.of(controller.withState(s -> s.sequence())) : OptionalLong.empty(), bound);
    }

    public static List<Part> parts(AllocatorController controller, Supplier<String> leader, LedgerFreshness freshness) {
        return List.of(
                Part.reported("informers", () -> controller.informersSynced() ? Status.working()
                        : Status.starting("the Kubernetes informers have not synced yet")),
                Part.reported("leadership", () -> controller.leading() || leader.get() != null ? Status.working()
                        : Status.starting("no allocator is known to lead")),
                Part.reported("chain", () -> down(controller.chainBroken())),
                Part.reported("ledger", () -> freshness.check().status()),
                Part.reported("ledger-appends", () -> down(controller.leading() ? controller.appendFailing()
                        .map(e -> "appending decisions to the ledger failed (retrying): " + e) : Optional.empty())));
    }

    /** Events on the allocator's Pod ({@code AllocatorComponentDown}, {@code AllocatorComponentUp}). */
    public static HealthEvents events(KubernetesClient client, String namespace, String pod) {
        return new HealthEvents(new EventRecorder(client, ServiceWriteBack.COMPONENT, pod, null),
                new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(namespace).withName(pod).build());
    }

    private static Status down(Optional<String> problem) {
        return problem.map(Status::down).orElse(Status.working());
    }
}
