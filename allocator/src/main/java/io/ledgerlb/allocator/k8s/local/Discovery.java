package io.ledgerlb.allocator.k8s.local;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.ledgerlb.allocator.k8s.crd.MetalLb;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The API groups and resources the local API serves, as kubectl's discovery wants to see them. */
final class Discovery {
    /** @param shortName empty when there is none */
    record Resource(String plural, String kind, boolean namespaced, String shortName) {
    }

    private static final List<String> VERBS = List.of(
            "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    /** Group/version ("v1" for the core group) → its resources, in the order served. */
    static final Map<String, List<Resource>> RESOURCES = resources();

    private Discovery() {
    }

    private static Map<String, List<Resource>> resources() {
        Map<String, List<Resource>> all = new LinkedHashMap<>();
        all.put("v1", List.of(
                new Resource("services", "Service", true, "svc"),
                new Resource("events", "Event", true, "ev"),
                new Resource("namespaces", "Namespace", false, "ns"),
                new Resource("nodes", "Node", false, "no"),
                new Resource("secrets", "Secret", true, ""),
                new Resource("configmaps", "ConfigMap", true, "cm"),
                new Resource("endpoints", "Endpoints", true, "ep"),
                new Resource("pods", "Pod", true, "po"),
                new Resource("serviceaccounts", "ServiceAccount", true, "sa")));
        all.put("discovery.k8s.io/v1", List.of(new Resource("endpointslices", "EndpointSlice", true, "")));
        all.put("coordination.k8s.io/v1", List.of(new Resource("leases", "Lease", true, "")));
        all.put("apps/v1", List.of(  // for kubectl apply -k deploy/
                new Resource("deployments", "Deployment", true, "deploy"),
                new Resource("daemonsets", "DaemonSet", true, "ds"),
                new Resource("statefulsets", "StatefulSet", true, "sts")));
        all.put("rbac.authorization.k8s.io/v1", List.of(
                new Resource("clusterroles", "ClusterRole", false, ""),
                new Resource("clusterrolebindings", "ClusterRoleBinding", false, ""),
                new Resource("roles", "Role", true, ""),
                new Resource("rolebindings", "RoleBinding", true, "")));
        all.put("apiextensions.k8s.io/v1", List.of(
                new Resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd")));
        all.put(MetalLb.GROUP + "/" + MetalLb.V1BETA2, List.of(new Resource("bgppeers", "BGPPeer", true, "")));
        all.put(MetalLb.GROUP + "/" + MetalLb.V1BETA1, List.of(
                new Resource("ipaddresspools", "IPAddressPool", true, ""),
                new Resource("l2advertisements", "L2Advertisement", true, ""),
                new Resource("bgpadvertisements", "BGPAdvertisement", true, ""),
                new Resource("communities", "Community", true, ""),
                new Resource("bfdprofiles", "BFDProfile", true, ""),
                new Resource("servicel2statuses", "ServiceL2Status", true, ""),
                new Resource("servicebgpstatuses", "ServiceBGPStatus", true, ""),
                new Resource("configurationstates", "ConfigurationState", true, ""),
                new Resource("bgppeers", "BGPPeer", true, ""))); // served from v1beta2: ConvertedVersion
        return all;
    }

    /** The custom resources, for the CRUD dispatcher: all with a status subresource. */
    static List<CustomResourceDefinitionContext> customResources() {
        List<CustomResourceDefinitionContext> contexts = new ArrayList<>();
        RESOURCES.forEach((groupVersion, resources) -> {
            if (groupVersion.startsWith(MetalLb.GROUP + "/")) {
                String version = groupVersion.substring(groupVersion.indexOf('/') + 1);
                resources.forEach(r -> contexts.add(new CustomResourceDefinitionContext.Builder()
                        .withGroup(MetalLb.GROUP).withVersion(version).withPlural(r.plural()).withKind(r.kind())
                        .withName(r.plural() + "." + MetalLb.GROUP).withScope(r.namespaced() ? "Namespaced" : "Cluster")
                        .withStatusSubresource(true).build()));
            }
        });
        return contexts;
    }

    /** The kind of a resource by its plural name. */
    static Optional<String> kindOf(String plural) {
        return RESOURCES.values().stream().flatMap(List::stream).filter(r -> r.plural().equals(plural))
                .map(Resource::kind).findFirst();
    }

    static Map<String, Object> version() {
        return Map.of("major", "1", "minor", "32", "gitVersion", "v1.32.0-ledgerlb-local",
                "platform", "linux/amd64", "goVersion", "go1.23", "compiler", "gc",
                "gitCommit", "", "gitTreeState", "clean", "buildDate", "2026-01-01T00:00:00Z");
    }

    static Map<String, Object> coreVersions() {
        return Map.of("kind", "APIVersions", "versions", List.of("v1"),
                "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1")));
    }

    static Map<String, Object> groups() {
        Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
        RESOURCES.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> versionsByGroup
                .computeIfAbsent(gv.substring(0, gv.indexOf('/')), g -> new ArrayList<>())
                .add(gv.substring(gv.indexOf('/') + 1)));
        List<Map<String, Object>> groups = new ArrayList<>();
        versionsByGroup.forEach((group, versions) -> {
            List<Map<String, String>> entries = versions.stream()
                    .map(v -> Map.of("groupVersion", group + "/" + v, "version", v)).toList();
            groups.add(Map.of("name", group, "versions", entries, "preferredVersion", entries.get(0)));
        });
        return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
    }

    /** The resource list of one group/version, or empty when it is not served. */
    static Optional<Map<String, Object>> resourceList(String groupVersion) {
        List<Resource> resources = RESOURCES.get(groupVersion);
        if (resources == null) {
            return Optional.empty();
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Resource r : resources) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", r.plural());
            entry.put("singularName", r.kind().toLowerCase());
            entry.put("namespaced", r.namespaced());
            entry.put("kind", r.kind());
            entry.put("verbs", VERBS);
            if (!r.shortName().isEmpty()) {
                entry.put("shortNames", List.of(r.shortName()));
            }
            entries.add(entry);
            entries.add(Map.of("name", r.plural() + "/status", "singularName", "", "namespaced", r.namespaced(),
                    "kind", r.kind(), "verbs", STATUS_VERBS));
        }
        return Optional.of(Map.of("kind", "APIResourceList", "apiVersion", "v1",
                "groupVersion", groupVersion, "resources", entries));
    }
}
