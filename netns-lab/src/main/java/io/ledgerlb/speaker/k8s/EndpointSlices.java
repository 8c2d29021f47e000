package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** EndpointSlices as a cluster's endpoint controller would write them, for tests on the mock API. */
public final class EndpointSlices {
    /** The label Kubernetes puts on a Service's slices (the speaker's ClusterWatch selects by it). */
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private EndpointSlices() {
    }

    /** The Service has one ready, serving endpoint, on this node (replacing the slice written before). */
    public static void servedFrom(KubernetesClient client, String namespace, String service, String node) {
        client.discovery().v1().endpointSlices().inNamespace(namespace).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(service + "-abc").withNamespace(namespace)
                        .addToLabels(SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().addToAddresses("10.244.0.7").withNodeName(node)
                        .withNewConditions().withReady(true).withServing(true).endConditions().endEndpoint()
                .build()).createOr(existing -> existing.update());
    }
}
