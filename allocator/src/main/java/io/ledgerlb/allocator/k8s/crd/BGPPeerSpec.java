package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.SecretReference;
import java.util.List;

/**
 * Field for field MetalLB's v1beta2 BGPPeer spec. Durations are Go duration strings
 * ({@code 90s}, {@code 1m30s}).
 *
 * @param localASN      the AS this session shows the peer instead of myASN (MetalLB's
 *                      {@code local-as … no-prepend replace-as}): ledgerlb's sessions each have their own AS
 * @param dynamicASN     {@code internal} or {@code external} instead of a peerASN
 * @param password       plain-text TCP MD5 password: ledgerlb refuses it (secrets never enter the ledger)
 * @param passwordSecret a {@code kubernetes.io/basic-auth} Secret whose {@code password} key holds it
 * @param iface          {@code interface}: BGP unnumbered on that interface
 * @param dualStackAddressFamily carry the other IP family too (ledgerlb always does, where a next hop of it exists)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BGPPeerSpec(Long myASN, Long peerASN, Long localASN, String dynamicASN, String peerAddress, String sourceAddress,
                          Integer peerPort, String holdTime, String keepaliveTime, String connectTime,
                          String routerID, List<LabelSelector> nodeSelectors, String password,
                          SecretReference passwordSecret, String bfdProfile, Boolean enableGracefulRestart,
                          Boolean ebgpMultiHop, String vrf, Boolean disableMP,
                          @JsonProperty("interface") String iface, Boolean dualStackAddressFamily) {
}
