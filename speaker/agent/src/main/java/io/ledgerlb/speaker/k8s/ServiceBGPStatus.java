package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * MetalLB's {@code ServiceBGPStatus} ({@code metallb.io/v1beta1}, namespaced, status
 * subresource): which node announces a Service by BGP, and to which BGPPeers. One per Service and
 * announcing node, labelled like {@link ServiceL2Status}.
 */
@Group("metallb.io")
@Version("v1beta1")
@Kind("ServiceBGPStatus")
@Plural("servicebgpstatuses")
public class ServiceBGPStatus extends CustomResource<Void, ServiceBGPStatus.Status> implements Namespaced {

    public static class Status extends ServiceStatusFields {
        private List<String> peers = new ArrayList<>();

        public List<String> getPeers() {
            return peers;
        }

        public void setPeers(List<String> peers) {
            this.peers = peers;
        }
    }
}
