package io.ledgerlb.allocator.controller;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.Ledger;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starting allocators in tests. */
final class Allocators {
    private Allocators() {}

    /** A controller with synced informers, not leading yet. */
    static AllocatorController started(KubernetesClient client, Ledger ledger, String name) {
        AllocatorController controller = AllocatorController.withCoreStep(client, ledger,
                new AllocatorController.Settings(name, null, 4, 0));
        controller.startInformers();
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(controller::informersSynced);
        return controller;
    }

    /** A controller that leads (without leader election). */
    static AllocatorController leading(MockCluster cluster, Ledger ledger, String name) throws Exception {
        AllocatorController controller = started(cluster.newClient(), ledger, name);
        controller.startLeading();
        return controller;
    }

    /** Closes what a test started, the controller (if any) first. */
    static void closeAll(AllocatorController controller, Ledger ledger, MockCluster cluster) {
        if (controller != null) {
            controller.close();
        }
        ledger.close();
        cluster.close();
    }

    static List<Event> events(Ledger ledger) {
        List<Event> events = new ArrayList<>();
        try {
            ledger.read(1, e -> events.add(e.event()));
        } catch (LedgerFormatException e) {
            throw new AssertionError(e);
        }
        return events;
    }
}
