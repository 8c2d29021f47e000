package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** BGPPeer objects on the mock API, as tests create them and read the conditions speakers write on them. */
public final class BgpPeerObjects {
    private BgpPeerObjects() {
    }

    /** Creates the BGPPeer, with this spec unless it is null; returns it as created. */
    public static GenericKubernetesResource create(KubernetesClient client, String namespace, String name, Map<String, Object> spec) {
        GenericKubernetesResource peer = new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta2")
                .withKind("BGPPeer").withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build();
        if (spec != null) {
            peer.setAdditionalProperty("spec", spec);
        }
        return client.genericKubernetesResources(BgpPeerStatusWriter.BGP_PEER).inNamespace(namespace).resource(peer).create();
    }

    /** The BGPPeer's status conditions by type (none yet: empty). */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> conditions(KubernetesClient client, String namespace, String name) {
        GenericKubernetesResource object = client.genericKubernetesResources(BgpPeerStatusWriter.BGP_PEER).inNamespace(namespace)
                .withName(name).get();
        Map<String, Object> status = (Map<String, Object>) object.getAdditionalProperties().getOrDefault("status", Map.of());
        Map<String, Map<String, Object>> byType = new TreeMap<>();
        ((List<Map<String, Object>>) status.getOrDefault("conditions", List.of())).forEach(c -> byType.put((String) c.get("type"), c));
        return byType;
    }
}
