package io.ledgerlb.allocator.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.ledger.state.ServiceKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vocabulary of the MetalLB conformance tables: pools, Services and steps, each turned into the
 * Kubernetes objects a user would apply, so that the pure driver (through the same adapters) and
 * the controller driver (through the mock API) decide on exactly the same input.
 */
final class ConformanceTable {
    private ConformanceTable() {}

    static final String NAMESPACE = "default";

    /** An IPAddressPool. */
    record Pool(String name, List<String> addresses, boolean autoAssign, boolean avoidBuggyIPs,
                List<String> namespaces, Map<String, String> serviceSelector, int priority) {
        static Pool of(String name, String... addresses) {
            return new Pool(name, List.of(addresses), true, false, List.of(), Map.of(), 0);
        }

        Pool manual() {
            return new Pool(name, addresses, false, avoidBuggyIPs, namespaces, serviceSelector, priority);
        }

        Pool avoidBuggy() {
            return new Pool(name, addresses, autoAssign, true, namespaces, serviceSelector, priority);
        }

        Pool forNamespaces(String... names) {
            return new Pool(name, addresses, autoAssign, avoidBuggyIPs, List.of(names), serviceSelector, priority);
        }

        Pool forServices(Map<String, String> labels) {
            return new Pool(name, addresses, autoAssign, avoidBuggyIPs, namespaces, labels, priority);
        }

        Pool priority(int p) {
            return new Pool(name, addresses, autoAssign, avoidBuggyIPs, namespaces, serviceSelector, p);
        }

        GenericKubernetesResource resource() {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("addresses", addresses);
            spec.put("autoAssign", autoAssign);
            spec.put("avoidBuggyIPs", avoidBuggyIPs);
            if (!namespaces.isEmpty() || !serviceSelector.isEmpty()) {
                Map<String, Object> allocation = new LinkedHashMap<>();
                if (priority != 0) {
                    allocation.put("priority", priority);
                }
                if (!namespaces.isEmpty()) {
                    allocation.put("namespaces", namespaces);
                }
                if (!serviceSelector.isEmpty()) {
                    allocation.put("serviceSelectors", List.of(Map.of("matchLabels", serviceSelector)));
                }
                spec.put("serviceAllocation", allocation);
            }
            return new GenericKubernetesResourceBuilder()
                    .withApiVersion(MetalLbKinds.IP_ADDRESS_POOL.apiVersion()).withKind("IPAddressPool")
                    .withNewMetadata().withName(name).withNamespace("metallb-system").endMetadata()
                    .withAdditionalProperties(Map.of("spec", spec))
                    .build();
        }
    }

    /** A Service (of type LoadBalancer unless {@link #type(String)} says otherwise), as a user writes it. */
    record Svc(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
               List<String> ports, List<String> families, String policy, boolean local,
               Map<String, String> selector, String loadBalancerIP, List<String> statusIps, String type) {
        static Svc of(String name) {
            return new Svc(NAMESPACE, name, Map.of(), Map.of(), List.of(), List.of("IPv4"), null, false,
                    Map.of("app", name), null, List.of(), "LoadBalancer");
        }

        Svc(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            List<String> ports, List<String> families, String policy, boolean local,
            Map<String, String> selector, String loadBalancerIP, List<String> statusIps) {
            this(namespace, name, labels, annotations, ports, families, policy, local, selector, loadBalancerIP, statusIps,
                    "LoadBalancer");
        }

        /** spec.type (ClusterIP, NodePort, ...). */
        Svc type(String t) {
            return new Svc(namespace, name, labels, annotations, ports, families, policy, local, selector, loadBalancerIP, statusIps, t);
        }

        ServiceKey key() {
            return new ServiceKey(namespace, name);
        }

        Svc in(String ns) {
            return new Svc(ns, name, labels, annotations, ports, families, policy, local, selector, loadBalancerIP, statusIps, type);
        }

        Svc labels(Map<String, String> l) {
            return new Svc(namespace, name, l, annotations, ports, families, policy, local, selector, loadBalancerIP, statusIps, type);
        }

        Svc annotate(String key, String value) {
            Map<String, String> a = new LinkedHashMap<>(annotations);
            a.put(key, value);
            return new Svc(namespace, name, labels, a, ports, families, policy, local, selector, loadBalancerIP, statusIps, type);
        }

        /** metallb.io/loadBalancerIPs */
        Svc ips(String... ips) {
            return annotate("metallb.io/loadBalancerIPs", String.join(",", ips));
        }

        Svc pool(String pool) {
            return annotate("metallb.io/address-pool", pool);
        }

        Svc sharing(String key) {
            return annotate("metallb.io/allow-shared-ip", key);
        }

        /** Ports as {@code tcp/80}. */
        Svc ports(String... p) {
            return new Svc(namespace, name, labels, annotations, List.of(p), families, policy, local, selector, loadBalancerIP, statusIps, type);
        }

        Svc families(String policy, String... f) {
            return new Svc(namespace, name, labels, annotations, ports, List.of(f), policy, local, selector, loadBalancerIP, statusIps, type);
        }

        /** externalTrafficPolicy Local with this selector (MetalLB's backend key), or Cluster when null. */
        Svc backend(String app) {
            return app == null
                    ? new Svc(namespace, name, labels, annotations, ports, families, policy, false, Map.of("app", name), loadBalancerIP, statusIps, type)
                    : new Svc(namespace, name, labels, annotations, ports, families, policy, true, Map.of("app", app), loadBalancerIP, statusIps, type);
        }

        /** Cluster policy with this selector. */
        Svc selector(String app) {
            return new Svc(namespace, name, labels, annotations, ports, families, policy, local, Map.of("app", app), loadBalancerIP, statusIps, type);
        }

        Svc specIp(String ip) {
            return new Svc(namespace, name, labels, annotations, ports, families, policy, local, selector, ip, statusIps, type);
        }

        Svc status(String... ips) {
            return new Svc(namespace, name, labels, annotations, ports, families, policy, local, selector, loadBalancerIP, List.of(ips), type);
        }

        Service service() {
            List<ServicePort> servicePorts = new ArrayList<>();
            for (String port : ports) {
                String[] parts = port.split("/");
                servicePorts.add(new ServicePortBuilder().withProtocol(parts[0].toUpperCase())
                        .withPort(Integer.parseInt(parts[1])).build());
            }
            ServiceBuilder b = new ServiceBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(name)
                    .withLabels(labels).withAnnotations(annotations).endMetadata()
                    .withNewSpec().withType(type).withPorts(servicePorts).withSelector(selector)
                    .withIpFamilies(families).withIpFamilyPolicy(policy)
                    .withExternalTrafficPolicy(local ? "Local" : "Cluster")
                    .withLoadBalancerIP(loadBalancerIP).endSpec();
            if (!statusIps.isEmpty()) {
                b.withNewStatus().withNewLoadBalancer().withIngress(statusIps.stream()
                        .map(ip -> new LoadBalancerIngressBuilder().withIp(ip).build()).toList())
                        .endLoadBalancer().endStatus();
            }
            return b.build();
        }
    }

    /**
     * What must hold after a step: the Service was refused (or not), what it holds, what others
     * hold, and the reasons of the Kubernetes Events MetalLB's controller writes on it for this step
     * (null: the usual ones, see {@code MetalLbConformanceTest}).
     */
    record Expect(Boolean refused, List<String> holds, Map<ServiceKey, List<String>> others, List<String> events) {
        Expect(Boolean refused, List<String> holds, Map<ServiceKey, List<String>> others) {
            this(refused, holds, others, null);
        }

        static Expect gets(String... ips) {
            return new Expect(false, List.of(ips).stream().sorted().toList(), Map.of());
        }

        static Expect refusedHolding(String... ips) {
            return new Expect(true, List.of(ips).stream().sorted().toList(), Map.of());
        }

        /**
         * Still holds nothing, whether or not the step records another refusal (an unchanged Service
         * applied again is not decided again by the controller; MetalLB's allocator returns its error).
         */
        static Expect stillWaiting() {
            return new Expect(null, List.of(), Map.of());
        }

        static Expect none() {
            return new Expect(false, List.of(), Map.of());
        }

        Expect and(String name, String... ips) {
            Map<ServiceKey, List<String>> more = new LinkedHashMap<>(others);
            more.put(name.contains("/") ? new ServiceKey(name.split("/")[0], name.split("/")[1]) : new ServiceKey(NAMESPACE, name),
                    List.of(ips).stream().sorted().toList());
            return new Expect(refused, holds, more, events);
        }

        /** The Events MetalLB writes on the Service for this step, as {@code "<type> <reason>"}, instead of the usual ones. */
        Expect events(String... typeAndReason) {
            return new Expect(refused, holds, others, List.of(typeAndReason));
        }
    }

    /** One step of a scenario. */
    sealed interface Step {
        String describe();
    }

    record DefinePool(Pool pool) implements Step {
        public String describe() {
            return "pool " + pool.name() + " " + pool.addresses();
        }
    }

    record RemovePool(String name) implements Step {
        public String describe() {
            return "remove pool " + name;
        }
    }

    record Apply(Svc svc, Expect expect) implements Step {
        public String describe() {
            return "apply " + svc.key() + " " + svc.annotations() + " ports " + svc.ports() + " → " + expect;
        }
    }

    record Delete(ServiceKey key, Expect expect) implements Step {
        public String describe() {
            return "delete " + key + " → " + expect;
        }
    }

    /** Nothing applied: what must hold now (after a pool change, say). */
    record Check(ServiceKey key, Expect expect) implements Step {
        public String describe() {
            return "check " + key + " → " + expect;
        }
    }

    /** A step and the MetalLB test (and table row) it comes from. */
    record Case(String metallbSource, String description, Step step) {}

    /** Cases applied in order against a fresh cluster and ledger. */
    record Scenario(String name, List<Case> cases) {
        @Override
        public String toString() {
            return name;
        }
    }
}
