package io.ledgerlb.speaker.k8s;

/** The status fields MetalLB's per-Service status objects share: who announces which Service. */
public class ServiceStatusFields {
    private String node;
    private String serviceName;
    private String serviceNamespace;

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getServiceName() {
        return serviceName;
    }

    public void setServiceName(String serviceName) {
        this.serviceName = serviceName;
    }

    public String getServiceNamespace() {
        return serviceNamespace;
    }

    public void setServiceNamespace(String serviceNamespace) {
        this.serviceNamespace = serviceNamespace;
    }
}
