package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ledgerlb.allocator.controller.ConformanceTable.Pool;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.core.Decision;
import io.ledgerlb.allocator.core.InMemoryChain;
import io.ledgerlb.allocator.core.Outcome;
import io.ledgerlb.allocator.core.WaitingServices;
import io.ledgerlb.allocator.k8s.adapter.ServiceRequests;
import io.ledgerlb.allocator.k8s.config.ConfigMapper;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pure allocation step with the controller's rules around it, without Kubernetes or Kafka:
 * the same adapters read the same objects, decisions are sealed onto an in-memory chain, waiting
 * Services are retried oldest refusal first after anything that frees capacity, and a pool change
 * re-decides every Service (as the controller re-queues them). Cheap enough for thousands of
 * random histories.
 */
final class PureDriver implements ConformanceDriver {
    static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");
    private static final KubernetesSerialization serialization = new KubernetesSerialization();
    final Allocator allocator = new Allocator("conformance", null);
    final WaitingServices waiting = new WaitingServices();
    final InMemoryChain chain = new InMemoryChain(allocator, waiting);
    /** The Services that exist, as last applied. */
    final Map<ServiceKey, Service> services = new TreeMap<>();

    @Override
    public void definePool(Pool pool) throws Exception {
        var mapped = ConfigMapper.pool(serialization.convertValue(pool.resource(), IPAddressPool.class));
        Decision d = chain.commit(allocator.poolDefined(chain.state(), mapped, cause("IPAddressPool", pool.name()), NOW));
        configChanged(d);
        writeStatus();
    }

    @Override
    public void removePool(String name) {
        Decision d = chain.commit(allocator.poolRemoved(chain.state(), name, cause("IPAddressPool", name), NOW));
        configChanged(d);
        writeStatus();
    }

    private void configChanged(Decision d) {
        if (WaitingServices.freesCapacity(d.events())) {
            retryWaiting(null);
        }
        if (!d.events().isEmpty()) {
            for (ServiceKey key : List.copyOf(services.keySet())) {
                decide(key);
            }
        }
    }

    @Override
    public boolean apply(Svc svc) {
        Service service = svc.service();
        Service existing = services.get(svc.key());
        if (existing != null) {
            service.setStatus(existing.getStatus()); // an update leaves the status alone, as kubectl apply does
        }
        services.put(svc.key(), service);
        boolean refused = decide(svc.key());
        writeStatus();
        return refused;
    }

    /**
     * Every Service's status shows what the ledger gives it, as the controller's write-back makes
     * it after each commit (a status IP only matters on a Service's first sight).
     */
    private void writeStatus() {
        services.forEach((key, service) -> service.setStatus(new ServiceStatusBuilder().withNewLoadBalancer()
                .withIngress(holds(key).stream().map(ip -> new LoadBalancerIngressBuilder().withIp(ip).build()).toList())
                .endLoadBalancer().build()));
    }

    /** Decides one Service as the controller does; true when a refusal was recorded. */
    boolean decide(ServiceKey key) {
        Service service = services.get(key);
        Decision d = chain.commit(allocator.serviceChanged(chain.state(), ServiceRequests.of(service, Map.of()),
                cause("Service", key.name()), NOW));
        boolean refused = d.outcome() instanceof Outcome.Refused;
        if (!refused) {
            waiting.forget(key);
        }
        if (WaitingServices.freesCapacity(d.events())) {
            retryWaiting(key);
        }
        return refused;
    }

    @Override
    public void delete(ServiceKey key) {
        services.remove(key);
        waiting.forget(key);
        Decision d = chain.commit(allocator.serviceDeleted(chain.state(), key, cause("Service", key.name()), NOW));
        if (WaitingServices.freesCapacity(d.events())) {
            retryWaiting(key);
        }
        writeStatus();
    }

    private void retryWaiting(ServiceKey except) {
        for (ServiceKey key : waiting.oldestFirst()) {
            Service service = services.get(key);
            if (key.equals(except)) {
                continue;
            }
            if (service == null) {
                waiting.forget(key);
                continue;
            }
            Decision retry = allocator.serviceChanged(chain.state(), ServiceRequests.of(service, Map.of()),
                    cause("Service", key.name()), NOW);
            if (WaitingServices.gives(retry.events())) {
                chain.commit(retry);
            }
        }
    }

    @Override
    public LedgerState state() {
        return chain.state();
    }

    List<Event> events() {
        List<Event> events = new ArrayList<>();
        chain.entries().forEach(e -> events.add(e.event()));
        return events;
    }

    private static Cause cause(String kind, String name) {
        return Cause.newBuilder().setKind(kind).setName(name).setReason("Conformance").build();
    }

    @Override
    public void close() {}
}
