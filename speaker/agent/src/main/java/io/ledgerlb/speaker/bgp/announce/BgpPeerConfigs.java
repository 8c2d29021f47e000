package io.ledgerlb.speaker.bgp.announce;

import io.fabric8.kubernetes.api.model.Secret;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.bgp.BgpPeerConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** BGPPeer as recorded in the ledger → the {@link BgpPeerConfig} a backend opens. Pure. */
public final class BgpPeerConfigs {
    /** MetalLB's defaults. */
    public static final Duration DEFAULT_HOLD_TIME = Duration.ofSeconds(90);
    public static final Duration DEFAULT_CONNECT_TIME = Duration.ofSeconds(120);
    public static final int DEFAULT_PORT = 179;
    /** The BGPPeer annotation that picks the backend (recorded in the ledger as {@code backend}). */
    public static final String BACKEND_ANNOTATION = "ledgerlb.io/bgp-backend";
    /** The only Secret type MetalLB takes a BGP password from. */
    public static final String PASSWORD_SECRET_TYPE = "kubernetes.io/basic-auth";

    private BgpPeerConfigs() {
    }

    /**
     * @param password        the password read from the peer's Secret by the caller (the ledger
     *                        holds only the reference); empty when the peer has none
     * @param defaultRouterId the router id when the BGPPeer gives none (usually the node's IPv4 address)
     * @throws PeerConfigException when an address in the BGPPeer is not an IP address, or the router
     *                             id (the BGPPeer's, or else the default) is not a non-zero IPv4 address
     */
    public static BgpPeerConfig fromLedger(BgpPeerDefined peer, Optional<String> password, InetAddress defaultRouterId) {
        Duration hold = peer.getHoldTimeSet() || peer.getHoldTimeSeconds() != 0
                ? Duration.ofSeconds(peer.getHoldTimeSeconds()) : DEFAULT_HOLD_TIME;
        // AS numbers are uint32 in the ledger: Java reads them as signed ints
        return new BgpPeerConfig(peer.getName(), Integer.toUnsignedLong(peer.getMyAsn()), Integer.toUnsignedLong(peer.getPeerAsn()),
                ip("peerAddress", peer.getPeerAddress()),
                peer.getPeerPort() == 0 ? DEFAULT_PORT : (int) peer.getPeerPort(),
                peer.getSourceAddress().isEmpty() ? Optional.empty() : Optional.of(ip("sourceAddress", peer.getSourceAddress())),
                hold,
                Duration.ofSeconds(peer.getKeepaliveTimeSeconds()),
                peer.getConnectTimeSeconds() == 0 ? DEFAULT_CONNECT_TIME : Duration.ofSeconds(peer.getConnectTimeSeconds()),
                routerId(peer, defaultRouterId),
                peer.getEbgpMultihop(), peer.getEnableGracefulRestart(), password, peer.getTtlSecurityHops(),
                peer.getDualStackAddressFamily());
    }

    /**
     * What a backend ({@code native} or {@code gobgp}) cannot do for this peer, one line each
     * (empty: it can serve it). The speaker opens no session for such a peer and says why on the
     * BGPPeer's status: a session without the MD5 signature, BFD or VRF the user asked for would
     * either never come up or silently not be what was configured.
     */
    public static List<String> limitations(BgpPeerDefined peer, String backend) {
        List<String> reasons = new ArrayList<>(peer.getUnsupportedList()); // what neither backend implements
        if (!peer.getBfdProfile().isEmpty() && !backend.equals("native")) {
            reasons.add("bfdProfile: BFD is implemented by ledgerlb's native BGP backend only; use it, or remove the profile");
        }
        if (!peer.getVrf().isEmpty()) {
            reasons.add("vrf: ledgerlb's BGP backends peer from the default VRF only; remove vrf");
        }
        return reasons;
    }

    /**
     * The password in the peer's Secret, checked as MetalLB does: the Secret must exist, be of type
     * {@value #PASSWORD_SECRET_TYPE} and hold the key the reference names (MetalLB's {@code password}).
     *
     * @param secret the Secret read from the API; null when there is none
     * @throws PeerConfigException for each of these, with the same message on every node
     */
    public static String password(SecretRef ref, Secret secret) {
        String name = ref.getNamespace() + "/" + ref.getName();
        if (secret == null) {
            throw PeerConfigException.everyNode("PasswordSecretNotFound", "the password Secret " + name
                    + " does not exist; create it (type " + PASSWORD_SECRET_TYPE + ", key " + ref.getKey() + ")");
        }
        if (!PASSWORD_SECRET_TYPE.equals(secret.getType())) {
            throw PeerConfigException.everyNode("PasswordSecretWrongType", "the password Secret " + name + " is of type "
                    + (secret.getType() == null ? "(none)" : secret.getType()) + ", not " + PASSWORD_SECRET_TYPE);
        }
        String value = secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (value == null || value.isEmpty()) {
            throw PeerConfigException.everyNode("PasswordSecretKeyMissing", "the password Secret " + name
                    + " has no key " + ref.getKey() + " (or it is empty)");
        }
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PeerConfigException.everyNode("PasswordSecretKeyMissing", "the password Secret " + name
                    + " holds no base64 data under key " + ref.getKey());
        }
    }

    private static InetAddress routerId(BgpPeerDefined peer, InetAddress defaultRouterId) {
        if (!peer.getRouterId().isEmpty()) {
            InetAddress id = ip("routerID", peer.getRouterId());
            if (!usableRouterId(id)) {
                throw PeerConfigException.everyNode("InvalidRouterID", "routerID '" + peer.getRouterId()
                        + "' is not a BGP identifier: it must be a non-zero IPv4 address");
            }
            return id;
        }
        if (!usableRouterId(defaultRouterId)) {
            throw PeerConfigException.thisNode("InvalidRouterID", "this node's default router ID "
                    + IpText.of(defaultRouterId) + " (the speaker's membership address) is not a non-zero"
                    + " IPv4 address; set spec.routerID on the BGPPeer");
        }
        return defaultRouterId;
    }

    private static boolean usableRouterId(InetAddress id) {
        return id instanceof Inet4Address && !id.isAnyLocalAddress();
    }

    private static InetAddress ip(String field, String text) {
        try {
            return IpAddress.parseInet(text);
        } catch (InvalidAddressException e) {
            throw PeerConfigException.everyNode("InvalidAddress", field + " '" + text + "' is not an IP address");
        }
    }
}
