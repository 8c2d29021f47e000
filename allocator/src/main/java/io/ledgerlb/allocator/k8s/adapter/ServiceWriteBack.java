package io.ledgerlb.allocator.k8s.adapter;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import io.ledgerlb.kube.RetryingWriter;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Makes a Service show what the ledger says: {@code status.loadBalancer.ingress}, the
 * {@code metallb.io/ip-allocated-from-pool} annotation, and the events of the decisions just
 * committed. It compares with the informer's copy and writes only what differs, so the same call
 * also corrects drift. Status goes through a JSON Patch of the status subresource (a merge patch
 * would append to the ingress list on the mock API, and an update could conflict).
 *
 * <p>Writes run on a small pool of threads; requests for the same Service coalesce. A write the
 * API refuses or times out is tried again with a growing delay ({@link RetryingWriter}; the ledger stays
 * the truth, so a retry simply writes what it says then); the events wait for the write that
 * succeeds, and are then recorded with retries of their own ({@link EventRecorder}).
 */
public final class ServiceWriteBack implements AutoCloseable {
    public static final String POOL_ANNOTATION = "metallb.io/ip-allocated-from-pool";
    /** The component of the allocator's Events. */
    public static final String COMPONENT = "ledgerlb-allocator";

    private final KubernetesClient client;
    private final Function<ServiceKey, Optional<Service>> cache;
    private final Function<ServiceKey, List<IpAssigned>> ledger;
    private final EventRecorder events;
    private final ScheduledThreadPoolExecutor threads;
    private final RetryingWriter<ServiceKey> writer;
    /** The events waiting for their Service's write (those of failed writes among them). */
    private final Map<ServiceKey, List<Note>> pending = new ConcurrentHashMap<>();
    /** Writes running: one counts until its events are recorded. */
    private final AtomicInteger writing = new AtomicInteger();
    private final AtomicLong statusWrites = new AtomicLong();

    /**
     * @param cache  the informer's copy of a Service
     * @param ledger the Service's assignments in the folded ledger state (read under its lock)
     */
    public ServiceWriteBack(KubernetesClient client, Function<ServiceKey, Optional<Service>> cache,
            Function<ServiceKey, List<IpAssigned>> ledger, EventRecorder events, int threads) {
        this.client = client;
        this.cache = cache;
        this.ledger = ledger;
        this.events = events;
        this.threads = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "service-write-back");
            t.setDaemon(true);
            return t;
        });
        this.threads.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // closing drops the retries waiting
        this.writer = new RetryingWriter<>(this.threads, "Service", k -> k.namespace() + "/" + k.name(), this::write);
    }

    /** Brings the Service in line with the ledger and records the notes as events on it. */
    public void submit(ServiceKey key, List<Note> notes) {
        keep(key, notes);
        writer.submit(key);
    }

    private void keep(ServiceKey key, List<Note> notes) {
        pending.merge(key, new ArrayList<>(notes), (waiting, more) -> {
            waiting.addAll(more);
            return waiting;
        });
    }

    /** Status writes so far (for tests and benchmarks). */
    public long statusWrites() {
        return statusWrites.get();
    }

    /** Writes waiting or running (a running one until its events are recorded). */
    public int pending() {
        return pending.size() + writing.get();
    }

    /** One write of a Service; a refusal is thrown to the {@link RetryingWriter}, the events kept for the retry. */
    private void write(ServiceKey key) {
        writing.incrementAndGet();
        try {
            writeAndRecord(key);
        } finally {
            writing.decrementAndGet();
        }
    }

    private void writeAndRecord(ServiceKey key) {
        List<Note> notes = Optional.ofNullable(pending.remove(key)).orElse(List.of());
        Optional<Service> current = cache.apply(key);
        if (current.isEmpty()) {
            return; // deleted: nothing to show it on
        }
        Service service = current.get();
        try {
            List<IpAssigned> held = ledger.apply(key);
            writeStatus(service, held);
            writeAnnotation(service, held);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return; // deleted meanwhile
            }
            keep(key, notes);
            throw e;
        }
        notes.forEach(note -> events.record(service, note));
    }

    private void writeStatus(Service service, List<IpAssigned> held) {
        List<LoadBalancerIngress> wanted = ingress(service, held);
        ServiceStatus status = service.getStatus() == null ? new ServiceStatus() : service.getStatus();
        List<LoadBalancerIngress> now = status.getLoadBalancer() == null || status.getLoadBalancer().getIngress() == null
                ? List.of() : status.getLoadBalancer().getIngress();
        if (ips(now).equals(ips(wanted))) {
            return;
        }
        ServiceStatus next = new ServiceStatus(status.getConditions(), new LoadBalancerStatus(wanted));
        String patch = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
                + client.getKubernetesSerialization().asJson(next) + "}]";
        client.services().inNamespace(service.getMetadata().getNamespace()).withName(service.getMetadata().getName())
                .subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
        statusWrites.incrementAndGet();
    }

    private void writeAnnotation(Service service, List<IpAssigned> held) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        String now = annotations == null ? null : annotations.get(POOL_ANNOTATION);
        String wanted = held.isEmpty() ? null : held.get(0).getPool();
        if (Objects.equals(now, wanted) || (wanted != null && wanted.isEmpty())) {
            return;
        }
        String path = "/metadata/annotations/" + POOL_ANNOTATION.replace("~", "~0").replace("/", "~1");
        String patch;
        if (wanted == null) {
            patch = "[{\"op\":\"remove\",\"path\":\"" + path + "\"}]";
        } else if (annotations == null) {
            patch = "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"" + POOL_ANNOTATION + "\":"
                    + json(wanted) + "}}]";
        } else {
            patch = "[{\"op\":\"add\",\"path\":\"" + path + "\",\"value\":" + json(wanted) + "}]";
        }
        client.services().inNamespace(service.getMetadata().getNamespace()).withName(service.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON), patch);
    }

    private String json(String value) {
        return client.getKubernetesSerialization().asJson(value);
    }

    /** The ingress list: IPs in the order of the Service's {@code ipFamilies} (IPv4 first by default). */
    static List<LoadBalancerIngress> ingress(Service service, List<IpAssigned> held) {
        List<String> families = service.getSpec() == null || service.getSpec().getIpFamilies() == null
                ? List.of() : service.getSpec().getIpFamilies();
        boolean v6First = !families.isEmpty() && "IPv6".equals(families.get(0));
        return held.stream()
                .map(IpAssigned::getIp)
                .distinct()
                .sorted(Comparator.comparing((String ip) -> ip.contains(":") != v6First).thenComparing(ip -> ip))
                .map(ip -> new LoadBalancerIngressBuilder().withIp(ip).build())
                .toList();
    }

    private static List<String> ips(List<LoadBalancerIngress> ingress) {
        return ingress.stream().map(LoadBalancerIngress::getIp).toList();
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
