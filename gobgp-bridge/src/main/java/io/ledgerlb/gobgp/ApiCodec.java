package io.ledgerlb.gobgp;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ledgerlb.gobgp.api.AfiSafi;
import io.ledgerlb.gobgp.api.AfiSafiConfig;
import io.ledgerlb.gobgp.api.AsPathAttribute;
import io.ledgerlb.gobgp.api.CommunitiesAttribute;
import io.ledgerlb.gobgp.api.EbgpMultihop;
import io.ledgerlb.gobgp.api.TtlSecurity;
import io.ledgerlb.gobgp.api.Global;
import io.ledgerlb.gobgp.api.GracefulRestart;
import io.ledgerlb.gobgp.api.IPAddressPrefix;
import io.ledgerlb.gobgp.api.LargeCommunitiesAttribute;
import io.ledgerlb.gobgp.api.LargeCommunity;
import io.ledgerlb.gobgp.api.LocalPrefAttribute;
import io.ledgerlb.gobgp.api.MpGracefulRestart;
import io.ledgerlb.gobgp.api.MpGracefulRestartConfig;
import io.ledgerlb.gobgp.api.MpReachNLRIAttribute;
import io.ledgerlb.gobgp.api.NextHopAttribute;
import io.ledgerlb.gobgp.api.OriginAttribute;
import io.ledgerlb.gobgp.api.Path;
import io.ledgerlb.gobgp.api.Peer;
import io.ledgerlb.gobgp.api.PeerConf;
import io.ledgerlb.gobgp.api.Timers;
import io.ledgerlb.gobgp.api.TimersConfig;
import io.ledgerlb.gobgp.api.Transport;
import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pure mapping between the bridge's model and GoBGP's v3 API messages. No I/O. */
public final class ApiCodec {

    /** Restart time announced with graceful restart (seconds), GoBGP's customary value. */
    static final int GRACEFUL_RESTART_TIME = 120;

    private ApiCodec() {
    }

    public static Global global(BgpGlobal global) {
        return Global.newBuilder()
                .setAsn((int) global.asn())
                .setRouterId(global.routerId())
                .setListenPort(global.listenPort())
                .addAllListenAddresses(global.listenAddresses())
                .build();
    }

    public static Peer peer(DesiredPeer peer) {
        Peer.Builder api = Peer.newBuilder()
                .setConf(PeerConf.newBuilder()
                        .setNeighborAddress(Addresses.text(peer.address()))
                        .setPeerAsn((int) peer.peerAsn())
                        .setLocalAsn((int) peer.localAsn())
                        .setAuthPassword(peer.password().orElse("")))
                .setTimers(Timers.newBuilder().setConfig(TimersConfig.newBuilder()
                        .setHoldTime(peer.holdTime().toSeconds())
                        .setKeepaliveInterval(peer.keepalive().toSeconds())
                        .setConnectRetry(peer.connectRetry().toSeconds())))
                .setTransport(Transport.newBuilder()
                        .setRemotePort(peer.port())
                        .setLocalAddress(peer.localAddress().map(Addresses::text).orElse("")))
                .setEbgpMultihop(EbgpMultihop.newBuilder()
                        .setEnabled(peer.ebgpMultihopTtl() > 0)
                        .setMultihopTtl(peer.ebgpMultihopTtl()));
        if (peer.ttlMin() > 0) {
            api.setTtlSecurity(TtlSecurity.newBuilder().setEnabled(true).setTtlMin(peer.ttlMin()));
        }
        if (peer.gracefulRestart()) {
            // notification: RFC 8538's N bit. gobgpd 3.10 ends a deleted neighbor's session with a Cease
            // (Peer De-configured), never a Hard Reset: a router that also sets the N bit (FRR) then
            // keeps the paths as stale, so another backend's session can take them over
            api.setGracefulRestart(GracefulRestart.newBuilder().setEnabled(true).setRestartTime(GRACEFUL_RESTART_TIME)
                    .setNotificationEnabled(true));
        }
        for (RouteFamily family : RouteFamily.values()) {
            if (peer.families().contains(family)) {
                api.addAfiSafis(AfiSafi.newBuilder()
                        .setConfig(AfiSafiConfig.newBuilder().setFamily(family.api()).setEnabled(true))
                        .setMpGracefulRestart(MpGracefulRestart.newBuilder()
                                .setConfig(MpGracefulRestartConfig.newBuilder().setEnabled(peer.gracefulRestart()))));
            }
        }
        return api.build();
    }

    public static ObservedPeer observed(Peer peer) {
        String address = peer.getConf().getNeighborAddress();
        return new ObservedPeer(IpAddress.parseInet(address), Integer.toUnsignedLong(peer.getConf().getPeerAsn()),
                peer.getConf().getAuthPassword(), PeerSessionState.of(peer.getState().getSessionState()));
    }

    public static Path path(DesiredPath path) {
        Any nlri = Any.pack(IPAddressPrefix.newBuilder()
                .setPrefix(path.prefix().address().toString())
                .setPrefixLen(path.prefix().length())
                .build());
        Path.Builder api = Path.newBuilder().setFamily(path.family().api()).setNlri(nlri);
        api.addPattrs(Any.pack(OriginAttribute.newBuilder().setOrigin(path.origin().ordinal()).build()));
        String nextHop = path.nextHop().toString();
        if (path.family() == RouteFamily.IPV4_UNICAST) {
            api.addPattrs(Any.pack(NextHopAttribute.newBuilder().setNextHop(nextHop).build()));
        } else {
            api.addPattrs(Any.pack(MpReachNLRIAttribute.newBuilder()
                    .setFamily(path.family().api()).addNextHops(nextHop).addNlris(nlri).build()));
        }
        if (path.localPref() != null) {
            api.addPattrs(Any.pack(LocalPrefAttribute.newBuilder().setLocalPref(path.localPref().intValue()).build()));
        }
        if (!path.communities().isEmpty()) {
            CommunitiesAttribute.Builder communities = CommunitiesAttribute.newBuilder();
            path.communities().forEach(c -> communities.addCommunities((int) c.bits()));
            api.addPattrs(Any.pack(communities.build()));
        }
        if (!path.largeCommunities().isEmpty()) {
            LargeCommunitiesAttribute.Builder large = LargeCommunitiesAttribute.newBuilder();
            path.largeCommunities().forEach(c -> large.addCommunities(LargeCommunity.newBuilder()
                    .setGlobalAdmin((int) c.globalAdmin())
                    .setLocalData1((int) c.localData1())
                    .setLocalData2((int) c.localData2())));
            api.addPattrs(Any.pack(large.build()));
        }
        return api.build();
    }

    /** Reads a listed path back; empty when its NLRI is not an IP prefix. */
    public static Optional<ObservedPath> observed(Path path) {
        try {
            if (!path.getNlri().is(IPAddressPrefix.class)) {
                return Optional.empty();
            }
            IPAddressPrefix nlri = path.getNlri().unpack(IPAddressPrefix.class);
            IpPrefix prefix = IpPrefix.of(nlri.getPrefix(), nlri.getPrefixLen());
            return Optional.of(new ObservedPath(prefix, decoded(prefix, path.getPattrsList()), path));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The attributes in the bridge's terms, or null if any of them is one the bridge never sets. */
    private static DesiredPath decoded(IpPrefix prefix, List<Any> attributes) throws InvalidProtocolBufferException {
        DesiredPath.Origin origin = DesiredPath.Origin.IGP;
        IpAddress nextHop = null;
        Long localPref = null;
        List<Community> communities = new ArrayList<>();
        List<io.ledgerlb.net.LargeCommunity> large = new ArrayList<>();
        for (Any attribute : attributes) {
            if (attribute.is(OriginAttribute.class)) {
                int value = attribute.unpack(OriginAttribute.class).getOrigin();
                if (value > 2) {
                    return null;
                }
                origin = DesiredPath.Origin.values()[value];
            } else if (attribute.is(NextHopAttribute.class)) {
                nextHop = IpAddress.parse(attribute.unpack(NextHopAttribute.class).getNextHop());
            } else if (attribute.is(MpReachNLRIAttribute.class)) {
                List<String> hops = attribute.unpack(MpReachNLRIAttribute.class).getNextHopsList();
                if (hops.size() != 1) {
                    return null;
                }
                nextHop = IpAddress.parse(hops.get(0));
            } else if (attribute.is(LocalPrefAttribute.class)) {
                localPref = Integer.toUnsignedLong(attribute.unpack(LocalPrefAttribute.class).getLocalPref());
            } else if (attribute.is(CommunitiesAttribute.class)) {
                attribute.unpack(CommunitiesAttribute.class).getCommunitiesList()
                        .forEach(c -> communities.add(Community.of(Integer.toUnsignedLong(c))));
            } else if (attribute.is(LargeCommunitiesAttribute.class)) {
                attribute.unpack(LargeCommunitiesAttribute.class).getCommunitiesList()
                        .forEach(c -> large.add(new io.ledgerlb.net.LargeCommunity(Integer.toUnsignedLong(c.getGlobalAdmin()),
                                Integer.toUnsignedLong(c.getLocalData1()), Integer.toUnsignedLong(c.getLocalData2()))));
            } else if (!(attribute.is(AsPathAttribute.class) && emptyAsPath(attribute))) {
                return null;
            }
        }
        if (nextHop == null || RouteFamily.of(nextHop) != RouteFamily.of(prefix)) {
            return null;
        }
        return new DesiredPath(prefix, nextHop, origin, localPref, communities, large);
    }

    private static boolean emptyAsPath(Any attribute) throws InvalidProtocolBufferException {
        return attribute.unpack(AsPathAttribute.class).getSegmentsCount() == 0;
    }

}
