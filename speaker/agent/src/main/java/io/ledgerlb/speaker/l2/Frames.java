package io.ledgerlb.speaker.l2;

import io.ledgerlb.speaker.l2.NeighborRequest.ArpRequest;
import io.ledgerlb.speaker.l2.NeighborRequest.NeighborSolicitation;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Ethernet frames carrying ARP (RFC 826, RFC 5227) and ICMPv6 neighbour discovery (RFC 4861):
 * parsing the requests a speaker answers and building its answers and announcements. Pure: bytes
 * in, bytes out.
 */
public final class Frames {
    static final int ETHERNET_HEADER = 14;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ARP_LENGTH = 28;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;
    static final int IPV6_HEADER = 40;
    static final int NEXT_HEADER_ICMPV6 = 58;
    static final int ICMPV6_NEIGHBOR_SOLICITATION = 135;
    static final int ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
    static final int OPTION_SOURCE_LINK_LAYER = 1;
    static final int OPTION_TARGET_LINK_LAYER = 2;
    static final int NA_ROUTER = 0x80;
    static final int NA_SOLICITED = 0x40;
    static final int NA_OVERRIDE = 0x20;
    /** Ethernet's minimum frame without the FCS; shorter frames are padded. */
    static final int MIN_FRAME = 60;

    public static final Inet6Address ALL_NODES = address6(new byte[] {
            (byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    static final Inet4Address ANY_V4 = (Inet4Address) address(new byte[4]);

    private Frames() {}

    // ---- parsing

    /**
     * The request a frame carries, or empty for frames a speaker has nothing to do with (other
     * protocols, ARP replies, other ICMPv6 messages).
     *
     * @throws MalformedFrameException when the frame is ARP or a neighbour solicitation but
     *         truncated or invalid (RFC 4861 section 7.1.1 for solicitations)
     */
    public static Optional<NeighborRequest> parse(byte[] frame) throws MalformedFrameException {
        if (frame.length < ETHERNET_HEADER) {
            throw new MalformedFrameException("frame of " + frame.length + " bytes is shorter than an Ethernet header");
        }
        return switch (u16(frame, 12)) {
            case ETHERTYPE_ARP -> parseArp(frame);
            case ETHERTYPE_IPV6 -> parseSolicitation(frame);
            default -> Optional.empty();
        };
    }

    private static Optional<NeighborRequest> parseArp(byte[] frame) throws MalformedFrameException {
        int p = ETHERNET_HEADER;
        if (frame.length < p + ARP_LENGTH) {
            throw new MalformedFrameException("truncated ARP packet: " + (frame.length - p) + " bytes");
        }
        if (u16(frame, p) != 1 || u16(frame, p + 2) != 0x0800 || frame[p + 4] != 6 || frame[p + 5] != 4) {
            throw new MalformedFrameException("ARP packet is not Ethernet/IPv4 (htype " + u16(frame, p)
                    + ", ptype 0x" + Integer.toHexString(u16(frame, p + 2)) + ")");
        }
        if (u16(frame, p + 6) != ARP_REQUEST) {
            return Optional.empty();
        }
        MacAddress sender = MacAddress.read(frame, p + 8);
        Inet4Address senderIp = (Inet4Address) address(Arrays.copyOfRange(frame, p + 14, p + 18));
        Inet4Address target = (Inet4Address) address(Arrays.copyOfRange(frame, p + 24, p + 28));
        return Optional.of(new ArpRequest(sender, senderIp, target));
    }

    private static Optional<NeighborRequest> parseSolicitation(byte[] frame) throws MalformedFrameException {
        int ip = ETHERNET_HEADER;
        if (frame.length < ip + IPV6_HEADER) {
            throw new MalformedFrameException("truncated IPv6 header: " + (frame.length - ip) + " bytes");
        }
        if ((frame[ip] & 0xF0) != 0x60) {
            throw new MalformedFrameException("IPv6 ethertype with IP version " + ((frame[ip] & 0xF0) >> 4));
        }
        if ((frame[ip + 6] & 0xFF) != NEXT_HEADER_ICMPV6) {
            return Optional.empty();
        }
        int icmp = ip + IPV6_HEADER;
        int payload = u16(frame, ip + 4);
        if (payload < 4 || frame.length < icmp + payload) {
            throw new MalformedFrameException("truncated ICMPv6 message: payload length " + payload
                    + ", " + (frame.length - icmp) + " bytes present");
        }
        if ((frame[icmp] & 0xFF) != ICMPV6_NEIGHBOR_SOLICITATION) {
            return Optional.empty();
        }
        if ((frame[ip + 7] & 0xFF) != 255) {
            throw new MalformedFrameException("neighbour solicitation with hop limit " + (frame[ip + 7] & 0xFF));
        }
        if (frame[icmp + 1] != 0) {
            throw new MalformedFrameException("neighbour solicitation with code " + frame[icmp + 1]);
        }
        if (payload < 24) {
            throw new MalformedFrameException("neighbour solicitation of " + payload + " bytes (at least 24)");
        }
        byte[] src = Arrays.copyOfRange(frame, ip + 8, ip + 24);
        byte[] dst = Arrays.copyOfRange(frame, ip + 24, ip + 40);
        if (icmpv6Checksum(src, dst, frame, icmp, payload) != 0) {
            throw new MalformedFrameException("neighbour solicitation with a bad checksum");
        }
        Inet6Address senderIp = address6(src);
        Inet6Address target = address6(Arrays.copyOfRange(frame, icmp + 8, icmp + 24));
        if (target.isMulticastAddress()) {
            throw new MalformedFrameException("neighbour solicitation for multicast target " + target.getHostAddress());
        }
        MacAddress sourceLinkLayer = null;
        for (int o = icmp + 24; o < icmp + payload; ) {
            if (o + 2 > icmp + payload) {
                throw new MalformedFrameException("truncated neighbour discovery option");
            }
            int length = (frame[o + 1] & 0xFF) * 8;
            if (length == 0 || o + length > icmp + payload) {
                throw new MalformedFrameException("neighbour discovery option of bad length " + length);
            }
            if (frame[o] == OPTION_SOURCE_LINK_LAYER && length >= 8) {
                sourceLinkLayer = MacAddress.read(frame, o + 2);
            }
            o += length;
        }
        if (senderIp.isAnyLocalAddress()) {
            if (!isSolicitedNodeMulticast(dst) || sourceLinkLayer != null) {
                throw new MalformedFrameException("DAD probe not sent to a solicited-node address or with a source link-layer option");
            }
        }
        return Optional.of(new NeighborSolicitation(MacAddress.read(frame, 6), senderIp, target, sourceLinkLayer));
    }

    private static boolean isSolicitedNodeMulticast(byte[] a) {
        byte[] prefix = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff};
        return Arrays.equals(a, 0, 13, prefix, 0, 13);
    }

    // ---- building

    /**
     * The ARP reply to {@code request}, saying {@code ip} is at {@code mac}. For an RFC 5227 probe
     * (sender IP 0.0.0.0) the target IP stays 0.0.0.0, as the Linux kernel answers.
     */
    public static byte[] arpReply(MacAddress mac, Inet4Address ip, ArpRequest request) {
        return arp(ARP_REPLY, request.senderMac(), mac, ip, request.senderMac(), request.senderIp());
    }

    /** A gratuitous ARP: a broadcast request from {@code ip} for {@code ip} (RFC 5227 section 3). */
    public static byte[] gratuitousArp(MacAddress mac, Inet4Address ip) {
        return arp(ARP_REQUEST, MacAddress.BROADCAST, mac, ip, MacAddress.ZERO, ip);
    }

    private static byte[] arp(int operation, MacAddress destination, MacAddress sender, Inet4Address senderIp,
                              MacAddress target, Inet4Address targetIp) {
        byte[] f = new byte[MIN_FRAME];
        ethernet(f, destination, sender, ETHERTYPE_ARP);
        int p = ETHERNET_HEADER;
        put16(f, p, 1);
        put16(f, p + 2, 0x0800);
        f[p + 4] = 6;
        f[p + 5] = 4;
        put16(f, p + 6, operation);
        sender.write(f, p + 8);
        System.arraycopy(senderIp.getAddress(), 0, f, p + 14, 4);
        target.write(f, p + 18);
        System.arraycopy(targetIp.getAddress(), 0, f, p + 24, 4);
        return f;
    }

    /**
     * The neighbour advertisement answering {@code request} for {@code target}. A DAD probe (from
     * ::) is answered to all-nodes with the solicited flag clear (RFC 4861 section 7.2.4); others
     * unicast, solicited. Override is set. The source is the target itself, as Linux answers for
     * its own addresses (tools such as ndisc6 ignore answers from another source).
     */
    public static byte[] neighborAdvertisement(MacAddress mac, Inet6Address target, NeighborSolicitation request) {
        if (request.isDadProbe()) {
            return advertisement(mac, target, multicastMac(ALL_NODES), ALL_NODES, NA_OVERRIDE);
        }
        MacAddress destination = request.sourceLinkLayer() != null ? request.sourceLinkLayer() : request.senderMac();
        return advertisement(mac, target, destination, request.senderIp(), NA_SOLICITED | NA_OVERRIDE);
    }

    /** An unsolicited neighbour advertisement to all-nodes with the override flag (RFC 4861 section 7.2.6). */
    public static byte[] unsolicitedAdvertisement(MacAddress mac, Inet6Address target) {
        return advertisement(mac, target, multicastMac(ALL_NODES), ALL_NODES, NA_OVERRIDE);
    }

    private static byte[] advertisement(MacAddress mac, Inet6Address target,
                                        MacAddress destinationMac, Inet6Address destination, int flags) {
        Inet6Address source = target;
        int icmpLength = 32;
        byte[] f = new byte[ETHERNET_HEADER + IPV6_HEADER + icmpLength];
        ethernet(f, destinationMac, mac, ETHERTYPE_IPV6);
        int ip = ETHERNET_HEADER;
        f[ip] = 0x60;
        put16(f, ip + 4, icmpLength);
        f[ip + 6] = NEXT_HEADER_ICMPV6;
        f[ip + 7] = (byte) 255;
        System.arraycopy(source.getAddress(), 0, f, ip + 8, 16);
        System.arraycopy(destination.getAddress(), 0, f, ip + 24, 16);
        int icmp = ip + IPV6_HEADER;
        f[icmp] = (byte) ICMPV6_NEIGHBOR_ADVERTISEMENT;
        f[icmp + 4] = (byte) flags;
        System.arraycopy(target.getAddress(), 0, f, icmp + 8, 16);
        f[icmp + 24] = OPTION_TARGET_LINK_LAYER;
        f[icmp + 25] = 1;
        mac.write(f, icmp + 26);
        put16(f, icmp + 2, icmpv6Checksum(source.getAddress(), destination.getAddress(), f, icmp, icmpLength));
        return f;
    }

    static MacAddress multicastMac(Inet6Address group) {
        byte[] a = group.getAddress();
        return MacAddress.of(new byte[] {0x33, 0x33, a[12], a[13], a[14], a[15]});
    }

    private static void ethernet(byte[] f, MacAddress destination, MacAddress source, int type) {
        destination.write(f, 0);
        source.write(f, 6);
        put16(f, 12, type);
    }

    /** The one's-complement sum over the IPv6 pseudo-header and the message; 0 when a received checksum is valid. */
    static int icmpv6Checksum(byte[] src, byte[] dst, byte[] frame, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < 16; i += 2) {
            sum += u16(src, i) + u16(dst, i);
        }
        sum += length + NEXT_HEADER_ICMPV6;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += u16(frame, offset + i);
        }
        if ((length & 1) != 0) {
            sum += (frame[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static int u16(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }

    private static void put16(byte[] b, int offset, int value) {
        b[offset] = (byte) (value >>> 8);
        b[offset + 1] = (byte) value;
    }

    /** Always an {@link Inet6Address}, even for IPv4-mapped bytes (which {@code InetAddress} would turn into IPv4). */
    static Inet6Address address6(byte[] bytes) {
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
