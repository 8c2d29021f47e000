package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/**
 * {@code metallb.io/v1beta1 BGPPeer}, still served for clusters that store or apply it, without a
 * conversion webhook: its fields are a subset of v1beta2's with the same names and meanings, so the
 * API server converts by changing {@code apiVersion} alone (strategy None). ledgerlb reads every
 * BGPPeer as v1beta2.
 */
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.peerAddress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ASN", jsonPath = ".spec.peerASN", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "BFD Profile", jsonPath = ".spec.bfdProfile", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Multi Hops", jsonPath = ".spec.ebgpMultiHop", type = AdditionalPrinterColumn.Type.STRING)
@Group(MetalLb.GROUP)
@Version(value = MetalLb.V1BETA1, storage = false, deprecated = true,
        deprecationWarning = "v1beta1 is deprecated, please use v1beta2")
@Kind("BGPPeer")
@Plural("bgppeers")
@Singular("bgppeer")
public class BGPPeerV1beta1 extends CustomResource<BGPPeerV1beta1.Spec, BGPPeerV1beta1.Status> implements Namespaced {

    /** MetalLB's v1beta1 spec: peerASN and peerAddress required, its own node selector type. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(@Required @Min(0)
                       @Max(4294967295L) @SchemaFormat("int64") Long myASN,
                       @Required @Min(0)
                       @Max(4294967295L) @SchemaFormat("int64") Long peerASN,
                       @Required String peerAddress, String sourceAddress,
                       @Min(0) @Max(16384) Integer peerPort,
                       String holdTime, String keepaliveTime, String routerID, List<NodeSelector> nodeSelectors,
                       String password, String bfdProfile, Boolean ebgpMultiHop) {
    }

    /** v1beta1's node selector: like a label selector, but every requirement needs values. */
    public record NodeSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    }

    public record Requirement(@Required String key,
                              @Required String operator,
                              @Required @Size(min = 1)
                              List<String> values) {
    }

    /** Empty, as MetalLB's. */
    public record Status() {
    }
}
