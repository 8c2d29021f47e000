package io.ledgerlb.speaker.bgp.codec;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * OPEN (RFC 4271 §4.2) with its capabilities (RFC 5492).
 *
 * @param version    BGP version, 4
 * @param myAs       the 2-octet "My Autonomous System" field: the AS, or AS_TRANS when it does not fit
 * @param holdTime   proposed hold time in seconds (0, or at least 3)
 * @param bgpId      the sender's BGP identifier
 */
public record OpenMessage(int version, int myAs, int holdTime, Inet4Address bgpId, List<Capability> capabilities)
        implements BgpMessage {
    public static final int AS_TRANS = 23456;

    public OpenMessage {
        capabilities = List.copyOf(capabilities);
    }

    /** An OPEN for a speaker of AS {@code asn}: AS_TRANS in My AS when the AS needs 4 octets. */
    public static OpenMessage of(long asn, int holdTime, Inet4Address bgpId, List<Capability> capabilities) {
        return new OpenMessage(4, asn > 0xFFFF ? AS_TRANS : (int) asn, holdTime, bgpId, capabilities);
    }

    /** The sender's AS: from its 4-octet AS capability if present (RFC 6793), else My AS. */
    public long asn() {
        return fourOctetAs().orElse((long) myAs);
    }

    public Optional<Long> fourOctetAs() {
        return capabilities.stream().filter(Capability.FourOctetAs.class::isInstance)
                .map(c -> ((Capability.FourOctetAs) c).asn()).findFirst();
    }

    public boolean supports(AddressFamily family) {
        return capabilities.stream().anyMatch(c -> c instanceof Capability.Multiprotocol m && m.family().equals(family));
    }

    /** RFC 4760: without any multiprotocol capability a peer speaks IPv4 unicast only. */
    public boolean negotiatesFamily(AddressFamily family) {
        boolean anyMp = capabilities.stream().anyMatch(Capability.Multiprotocol.class::isInstance);
        return anyMp ? supports(family) : family.equals(AddressFamily.IPV4_UNICAST);
    }

    public boolean supportsRouteRefresh() {
        return capabilities.stream().anyMatch(Capability.RouteRefresh.class::isInstance);
    }

    public Optional<Capability.GracefulRestart> gracefulRestart() {
        return capabilities.stream().filter(Capability.GracefulRestart.class::isInstance)
                .map(Capability.GracefulRestart.class::cast).findFirst();
    }

    @Override
    public int type() {
        return OPEN;
    }
}
