package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election (fabric8's {@code LeaderElector}) in front of the controller. The
 * Lease decides who should write; the ledger's transactional fencing makes sure that a deposed
 * leader that has not noticed yet cannot: its next append fails and it steps down here.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    /** The Lease and its timing (Kubernetes' usual 15 s / 10 s / 2 s in production). */
    public record Settings(String namespace, String leaseName, Duration leaseDuration, Duration renewDeadline,
                           Duration retryPeriod) {
        public static Settings defaults(String namespace) {
            return new Settings(namespace, "ledgerlb-allocator", Duration.ofSeconds(15), Duration.ofSeconds(10),
                    Duration.ofSeconds(2));
        }
    }

    private final KubernetesClient client;
    private final AllocatorController controller;
    private final Settings settings;
    private final String identity;
    private volatile boolean closed;
    private volatile CompletableFuture<?> running;
    private volatile String leader;

    public Leadership(KubernetesClient client, AllocatorController controller, Settings settings, String identity) {
        this.client = client;
        this.controller = controller;
        this.settings = settings;
        this.identity = identity;
        controller.onFenced(() -> {
            if (controller.chainBroken().isPresent()) {
                closed = true;
            }
            stepDown();
        });
    }

    /** Starts competing for the Lease, and keeps competing after losing it, until closed. */
    public synchronized void start() {
        if (closed) {
            return;
        }
        var config = new LeaderElectionConfigBuilder()
                .withName(settings.leaseName())
                .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), identity))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::lead, controller::stopLeading,
                        newLeader -> {
                            leader = newLeader;
                            log.info("the leader is now {}", newLeader);
                        }))
                .build();
        running = client.leaderElector().withConfig(config).build().start();
        running.whenComplete((ok, error) -> {
            controller.stopLeading();
            if (!closed) {
                log.info("no longer leading or competing; competing again");
                start();
            }
        });
    }

    /** The current leader's identity as last observed, or null before the first election. */
    public String leader() {
        return leader;
    }

    private void lead() {
        try {
            controller.startLeading();
        } catch (Exception e) {
            if (controller.chainBroken().isPresent()) {
                // logged by the controller; competing again would only fail the same way
                closed = true;
            } else {
                log.error("could not start leading: {}", e.getMessage(), e);
            }
            stepDown();
        }
    }

    /** Gives the Lease up (the election starts again, unless closed). */
    private void stepDown() {
        CompletableFuture<?> current = running;
        if (current != null) {
            current.cancel(true);
        }
    }

    @Override
    public void close() {
        closed = true;
        stepDown();
        controller.stopLeading();
    }
}
