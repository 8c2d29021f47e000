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
 * MetalLB's {@code ServiceL2Status} ({@code metallb.io/v1beta1}, namespaced, status
 * subresource): which node announces a Service in Layer 2, and on which interfaces. One per
 * Service and announcing node (no spec: everything is status), labelled {@code metallb.io/node}, {@code metallb.io/service-name}
 * and {@code metallb.io/service-namespace}.
 */
@Group("metallb.io")
@Version("v1beta1")
@Kind("ServiceL2Status")
@Plural("servicel2statuses")
public class ServiceL2Status extends CustomResource<Void, ServiceL2Status.Status> implements Namespaced {
    public static final String NODE_LABEL = "metallb.io/node";
    public static final String SERVICE_NAME_LABEL = "metallb.io/service-name";
    public static final String SERVICE_NAMESPACE_LABEL = "metallb.io/service-namespace";

    public static class Status extends ServiceStatusFields {
        private List<InterfaceInfo> interfaces = new ArrayList<>();

        public List<InterfaceInfo> getInterfaces() {
            return interfaces;
        }

        public void setInterfaces(List<InterfaceInfo> interfaces) {
            this.interfaces = interfaces;
        }
    }

    public static class InterfaceInfo {
        private String name;

        public InterfaceInfo() {
        }

        public InterfaceInfo(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }
    }
}
