package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.SecretReference;
import java.util.List;

/**
 * Field for field MetalLB's v1beta2 BGPPeer spec, with its required field, ranges, defaults and
 * CEL rules. Durations are Go duration strings ({@code 90s}, {@code 1m30s}).
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
public record BGPPeerSpec(@Required @Min(0) @Max(MAX_ASN) @SchemaFormat("int64") Long myASN,
                          @Min(0) @Max(MAX_ASN) @SchemaFormat("int64") Long peerASN,
                          @Min(1) @Max(MAX_ASN) @SchemaFormat("int64") Long localASN,
                          @SchemaEnum({"internal", "external"}) String dynamicASN,
                          String peerAddress, String sourceAddress,
                          @Default("179") @Min(1) @Max(16384) Integer peerPort,
                          String holdTime, String keepaliveTime,
                          @ValidationRule(value = "duration(self).getMilliseconds() % 1000 == 0",
                                  message = "connect time should contain a whole number of seconds")
                          @ValidationRule(value = "duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535",
                                  message = "connect time should be between 1 seconds to 65535")
                          String connectTime,
                          String routerID, List<LabelSelector> nodeSelectors, String password,
                          SecretReference passwordSecret, String bfdProfile,
                          @ValidationRule(value = "self == oldSelf",
                                  message = "EnableGracefulRestart cannot be changed after creation")
                          Boolean enableGracefulRestart,
                          Boolean ebgpMultiHop, String vrf, @Default("false") Boolean disableMP,
                          @JsonProperty("interface") String iface,
                          @Default("false") Boolean dualStackAddressFamily) {
    static final long MAX_ASN = 4294967295L;
}
