package io.ledgerlb.speaker.l2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.speaker.l2.NeighborRequest.ArpRequest;
import io.ledgerlb.speaker.l2.NeighborRequest.NeighborSolicitation;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FramesTest {
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:0c");
    static final MacAddress NODE = MacAddress.parse("02:00:00:00:00:0a");
    static final Inet4Address CLIENT_IP = v4("10.99.0.100");
    static final Inet4Address SERVICE_IP = v4("10.99.0.200");
    static final Inet6Address CLIENT_IP6 = v6("fd00:99::100");
    static final Inet6Address SERVICE_IP6 = v6("fd00:99::200");
    static final InterfaceIdentity ETH0 = new InterfaceIdentity("eth0", NODE);

    @Test
    void parsesAnArpRequest() throws Exception {
        NeighborRequest request = Frames.parse(arpRequest(CLIENT, CLIENT_IP, SERVICE_IP)).orElseThrow();
        assertThat(request).isEqualTo(new ArpRequest(CLIENT, CLIENT_IP, SERVICE_IP));
    }

    @Test
    void answersAnArpRequestWithTheNodesMac() throws Exception {
        ArpRequest request = new ArpRequest(CLIENT, CLIENT_IP, SERVICE_IP);
        byte[] reply = Frames.arpReply(NODE, SERVICE_IP, request);

        assertThat(MacAddress.read(reply, 0)).isEqualTo(CLIENT);
        assertThat(MacAddress.read(reply, 6)).isEqualTo(NODE);
        assertThat(Frames.u16(reply, 12)).isEqualTo(0x0806);
        assertThat(Frames.u16(reply, 20)).isEqualTo(Frames.ARP_REPLY);
        assertThat(MacAddress.read(reply, 22)).isEqualTo(NODE);
        assertThat(Arrays.copyOfRange(reply, 28, 32)).isEqualTo(SERVICE_IP.getAddress());
        assertThat(MacAddress.read(reply, 32)).isEqualTo(CLIENT);
        assertThat(Arrays.copyOfRange(reply, 38, 42)).isEqualTo(CLIENT_IP.getAddress());
        assertThat(reply).hasSize(60);
        // a reply is not a request: the speaker ignores it when it sees it
        assertThat(Frames.parse(reply)).isEmpty();
    }

    @Test
    void answersAnRfc5227ProbeToTheProberWithTargetIpZero() throws Exception {
        ArpRequest probe = (ArpRequest) Frames.parse(arpRequest(CLIENT, Frames.ANY_V4, SERVICE_IP)).orElseThrow();
        assertThat(probe.isProbe()).isTrue();

        byte[] reply = Frames.arpReply(NODE, SERVICE_IP, probe);
        assertThat(MacAddress.read(reply, 0)).isEqualTo(CLIENT);
        assertThat(Arrays.copyOfRange(reply, 38, 42)).isEqualTo(new byte[4]);
    }

    @Test
    void gratuitousArpIsABroadcastRequestFromTheIpForTheIp() throws Exception {
        byte[] garp = Frames.gratuitousArp(NODE, SERVICE_IP);
        assertThat(MacAddress.read(garp, 0)).isEqualTo(MacAddress.BROADCAST);
        assertThat(Frames.parse(garp)).contains(new ArpRequest(NODE, SERVICE_IP, SERVICE_IP));
    }

    @Test
    void parsesASolicitationWithItsSourceLinkLayerOption() throws Exception {
        byte[] frame = solicitation(CLIENT, CLIENT_IP6, solicitedNode(SERVICE_IP6), SERVICE_IP6, CLIENT);
        assertThat(Frames.parse(frame)).contains(new NeighborSolicitation(CLIENT, CLIENT_IP6, SERVICE_IP6, CLIENT));
    }

    @Test
    void answersASolicitationUnicastSolicitedAndOverride() throws Exception {
        NeighborSolicitation ns = (NeighborSolicitation) Frames.parse(
                solicitation(CLIENT, CLIENT_IP6, solicitedNode(SERVICE_IP6), SERVICE_IP6, CLIENT)).orElseThrow();
        byte[] na = Frames.neighborAdvertisement(NODE, SERVICE_IP6, ns);

        assertThat(MacAddress.read(na, 0)).isEqualTo(CLIENT);
        assertThat(MacAddress.read(na, 6)).isEqualTo(NODE);
        assertThat(na[14 + 7] & 0xFF).as("hop limit").isEqualTo(255);
        assertThat(Arrays.copyOfRange(na, 22, 38)).as("source: the target itself").isEqualTo(SERVICE_IP6.getAddress());
        assertThat(Arrays.copyOfRange(na, 38, 54)).isEqualTo(CLIENT_IP6.getAddress());
        int icmp = 54;
        assertThat(na[icmp] & 0xFF).isEqualTo(136);
        assertThat(na[icmp + 4] & 0xFF).isEqualTo(Frames.NA_SOLICITED | Frames.NA_OVERRIDE);
        assertThat(Arrays.copyOfRange(na, icmp + 8, icmp + 24)).isEqualTo(SERVICE_IP6.getAddress());
        assertThat(na[icmp + 24]).isEqualTo((byte) Frames.OPTION_TARGET_LINK_LAYER);
        assertThat(MacAddress.read(na, icmp + 26)).isEqualTo(NODE);
        assertThat(checksumOf(na)).as("a valid checksum sums to zero").isZero();
    }

    @Test
    void answersADadProbeToAllNodesWithoutTheSolicitedFlag() throws Exception {
        byte[] frame = solicitation(CLIENT, v6("::"), solicitedNode(SERVICE_IP6), SERVICE_IP6, null);
        NeighborSolicitation dad = (NeighborSolicitation) Frames.parse(frame).orElseThrow();
        assertThat(dad.isDadProbe()).isTrue();

        byte[] na = Frames.neighborAdvertisement(NODE, SERVICE_IP6, dad);
        assertThat(MacAddress.read(na, 0)).isEqualTo(MacAddress.parse("33:33:00:00:00:01"));
        assertThat(Arrays.copyOfRange(na, 38, 54)).isEqualTo(Frames.ALL_NODES.getAddress());
        assertThat(na[54 + 4] & 0xFF).isEqualTo(Frames.NA_OVERRIDE);
        assertThat(checksumOf(na)).isZero();
    }

    @Test
    void unsolicitedAdvertisementGoesToAllNodesWithOverride() {
        byte[] na = Frames.unsolicitedAdvertisement(NODE, SERVICE_IP6);
        assertThat(Arrays.copyOfRange(na, 38, 54)).isEqualTo(Frames.ALL_NODES.getAddress());
        assertThat(na[54 + 4] & 0xFF).isEqualTo(Frames.NA_OVERRIDE);
        assertThat(checksumOf(na)).isZero();
    }

    @Test
    void truncatedAndInvalidFramesAreMalformed() {
        byte[] arp = arpRequest(CLIENT, CLIENT_IP, SERVICE_IP);
        assertThatThrownBy(() -> Frames.parse(Arrays.copyOf(arp, 10))).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> Frames.parse(Arrays.copyOf(arp, 30))).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("truncated ARP");
        byte[] notEthernet = arp.clone();
        notEthernet[15] = 6;
        assertThatThrownBy(() -> Frames.parse(notEthernet)).hasMessageContaining("not Ethernet/IPv4");

        byte[] ns = solicitation(CLIENT, CLIENT_IP6, solicitedNode(SERVICE_IP6), SERVICE_IP6, CLIENT);
        assertThatThrownBy(() -> Frames.parse(Arrays.copyOf(ns, 70))).hasMessageContaining("truncated");
        byte[] badChecksum = ns.clone();
        badChecksum[56] ^= 1;
        assertThatThrownBy(() -> Frames.parse(badChecksum)).hasMessageContaining("checksum");
        byte[] lowHopLimit = ns.clone();
        lowHopLimit[21] = 64;
        assertThatThrownBy(() -> Frames.parse(lowHopLimit)).hasMessageContaining("hop limit");
        byte[] zeroOption = solicitation(CLIENT, CLIENT_IP6, solicitedNode(SERVICE_IP6), SERVICE_IP6, CLIENT);
        zeroOption[54 + 25] = 0;
        fixChecksum(zeroOption);
        assertThatThrownBy(() -> Frames.parse(zeroOption)).hasMessageContaining("option of bad length");
        byte[] dadWithOption = solicitation(CLIENT, v6("::"), solicitedNode(SERVICE_IP6), SERVICE_IP6, CLIENT);
        assertThatThrownBy(() -> Frames.parse(dadWithOption)).hasMessageContaining("DAD probe");
    }

    @Test
    void otherTrafficIsNotARequest() throws Exception {
        byte[] ipv4 = arpRequest(CLIENT, CLIENT_IP, SERVICE_IP);
        ipv4[12] = 0x08;
        ipv4[13] = 0x00;
        assertThat(Frames.parse(ipv4)).isEmpty();
        byte[] na = Frames.unsolicitedAdvertisement(NODE, SERVICE_IP6);
        assertThat(Frames.parse(na)).isEmpty();
    }

    @Test
    void responderAnswersOnlyOwnedIpsOnTheirInterfacesAndNeverItself() {
        OwnedIps owned = new OwnedIps(Map.of(SERVICE_IP, Set.of("eth0"), SERVICE_IP6, Set.of()));
        ArpRequest forService = new ArpRequest(CLIENT, CLIENT_IP, SERVICE_IP);

        assertThat(Responder.answer(forService, ETH0, owned)).isPresent();
        assertThat(Responder.answer(forService, new InterfaceIdentity("eth1", NODE), owned)).isEmpty();
        assertThat(Responder.answer(new ArpRequest(CLIENT, CLIENT_IP, v4("10.99.0.201")), ETH0, owned)).isEmpty();
        assertThat(Responder.answer(new ArpRequest(NODE, SERVICE_IP, SERVICE_IP), ETH0, owned)).isEmpty();
        assertThat(Responder.answer(forService, ETH0, OwnedIps.NONE)).isEmpty();
        assertThat(Responder.answer(new NeighborSolicitation(CLIENT, CLIENT_IP6, SERVICE_IP6, CLIENT),
                new InterfaceIdentity("eth7", NODE), owned)).isPresent();
    }

    // ---- frames as a client's kernel sends them

    static byte[] arpRequest(MacAddress sender, Inet4Address senderIp, Inet4Address target) {
        byte[] f = Frames.gratuitousArp(sender, target);
        System.arraycopy(senderIp.getAddress(), 0, f, 28, 4);
        return f;
    }

    static byte[] solicitation(MacAddress sender, Inet6Address source, Inet6Address destination,
                               Inet6Address target, MacAddress sourceLinkLayer) {
        int icmpLength = sourceLinkLayer == null ? 24 : 32;
        byte[] f = new byte[14 + 40 + icmpLength];
        Frames.multicastMac(destination).write(f, 0);
        sender.write(f, 6);
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xDD;
        f[14] = 0x60;
        f[19] = (byte) icmpLength;
        f[20] = 58;
        f[21] = (byte) 255;
        System.arraycopy(source.getAddress(), 0, f, 22, 16);
        System.arraycopy(destination.getAddress(), 0, f, 38, 16);
        f[54] = (byte) 135;
        System.arraycopy(target.getAddress(), 0, f, 62, 16);
        if (sourceLinkLayer != null) {
            f[78] = 1;
            f[79] = 1;
            sourceLinkLayer.write(f, 80);
        }
        fixChecksum(f);
        return f;
    }

    static void fixChecksum(byte[] f) {
        f[56] = 0;
        f[57] = 0;
        int sum = checksumOf(f);
        f[56] = (byte) (sum >> 8);
        f[57] = (byte) sum;
    }

    static int checksumOf(byte[] f) {
        return Frames.icmpv6Checksum(Arrays.copyOfRange(f, 22, 38), Arrays.copyOfRange(f, 38, 54),
                f, 54, f.length - 54);
    }

    static Inet6Address solicitedNode(Inet6Address target) {
        byte[] t = target.getAddress();
        byte[] a = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, t[13], t[14], t[15]};
        return Frames.address6(a);
    }

    static Inet4Address v4(String ip) {
        try {
            return (Inet4Address) InetAddress.getByName(ip);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Inet6Address v6(String ip) {
        try {
            return (Inet6Address) InetAddress.getByName(ip);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
