package io.ledgerlb.allocator.k8s.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code metallb.io/v1beta2 BGPPeer}: a router the speakers peer with. The annotation
 * {@value #BACKEND_ANNOTATION} ({@code native} or {@code gobgp}) picks ledgerlb's BGP backend.
 */
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.peerAddress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ASN", jsonPath = ".spec.peerASN", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "BFD Profile", jsonPath = ".spec.bfdProfile", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Multi Hops", jsonPath = ".spec.ebgpMultiHop", type = AdditionalPrinterColumn.Type.STRING)
@Group(MetalLb.GROUP)
@Version(value = MetalLb.V1BETA2, storage = true)
@Kind("BGPPeer")
@Plural("bgppeers")
@Singular("bgppeer")
public class BGPPeer extends CustomResource<BGPPeerSpec, ConditionsStatus> implements Namespaced {
    public static final String BACKEND_ANNOTATION = "ledgerlb.io/bgp-backend";
    /**
     * GTSM (RFC 5082) with this many hops (1 to 254): the session's packets leave with TTL 255 and
     * only packets with a TTL of at least 256 − hops are accepted (FRR's {@code ttl-security hops}).
     * MetalLB's BGPPeer has no field for it.
     */
    public static final String TTL_SECURITY_ANNOTATION = "ledgerlb.io/bgp-ttl-security-hops";
}
