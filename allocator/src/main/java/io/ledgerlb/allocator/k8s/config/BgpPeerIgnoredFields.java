package io.ledgerlb.allocator.k8s.config;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a BGPPeer says that nothing reads: spec fields MetalLB's v1beta2 BGPPeer does not have
 * (README once documented a {@code spec.backend}), and annotations that look meant for ledgerlb
 * but are not its key {@value BGPPeer#BACKEND_ANNOTATION}. A real API server prunes unknown spec
 * fields before anyone sees them (kubectl's strict field validation names them to the user);
 * the local API and servers without pruning hand them on, so they are found here, one readable
 * line each, for the {@code Valid} condition, a Warning Event and the log. Pure.
 */
public final class BgpPeerIgnoredFields {
    /** MetalLB v0.16.1's {@code BGPPeerSpec} JSON names. */
    static final Set<String> SPEC_FIELDS = Set.of("myASN", "peerASN", "localASN", "dynamicASN", "peerAddress",
            "interface", "sourceAddress", "peerPort", "holdTime", "keepaliveTime", "connectTime", "routerID",
            "nodeSelectors", "password", "passwordSecret", "bfdProfile", "enableGracefulRestart", "ebgpMultiHop",
            "vrf", "disableMP", "dualStackAddressFamily");

    /** The BGPPeer annotations ledgerlb reads. */
    static final Set<String> READ = Set.of(BGPPeer.BACKEND_ANNOTATION, BGPPeer.TTL_SECURITY_ANNOTATION);

    private BgpPeerIgnoredFields() {
    }

    /** One line per ignored field or annotation; empty when there is none. */
    public static List<String> of(GenericKubernetesResource peer) {
        List<String> ignored = new ArrayList<>();
        if (peer.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec) {
            new TreeMap<>(spec).keySet().forEach(key -> {
                String field = String.valueOf(key);
                if (field.toLowerCase(Locale.ROOT).contains("backend")) {
                    ignored.add("spec." + field + " is not a BGPPeer field and is ignored: choose the backend with"
                            + " the annotation " + BGPPeer.BACKEND_ANNOTATION + ": native|gobgp");
                } else if (!SPEC_FIELDS.contains(field)) {
                    ignored.add("spec." + field + " is not a field of MetalLB's v1beta2 BGPPeer and is ignored");
                }
            });
        }
        Map<String, String> annotations = peer.getMetadata().getAnnotations();
        if (annotations != null) {
            new TreeMap<>(annotations).keySet().stream().filter(BgpPeerIgnoredFields::looksMeantForLedgerlb)
                    .forEach(key -> ignored.add("annotation " + key + " is not one ledgerlb reads and is ignored;"
                            + " the backend is chosen with " + BGPPeer.BACKEND_ANNOTATION + ": native|gobgp"));
        }
        return ignored;
    }

    private static boolean looksMeantForLedgerlb(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return !READ.contains(key) && (lower.contains("ledgerlb") || lower.contains("backend"));
    }
}
