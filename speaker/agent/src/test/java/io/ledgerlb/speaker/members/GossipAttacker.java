package io.ledgerlb.speaker.members;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.UdpPacket;

/**
 * An attacker on the speakers' L2 segment without the membership key, run in a namespace of its
 * own: {@code GossipAttacker <attack> <args>}; prints "sent N" (datagrams sent). Attacks:
 * <ul>
 *   <li>{@code leave <target> <victim> <victim ip:port>}: "victim left", at incarnation and
 *       heartbeat 2^63-1, in the clear and sealed with a key of the attacker's own</li>
 *   <li>{@code fake <target>...}: heartbeats of a member that does not exist, for four seconds</li>
 *   <li>{@code unknown <target>...}: datagrams that name an unknown sender, garbage, a header without a tag</li>
 *   <li>{@code replay <interface> <from ip> <to ip:port>}: captures one genuine datagram and sends it
 *       again, at once (three times) and after the sender's window has moved on</li>
 *   <li>{@code metrics <url>}: prints the page (for the test, inside a node's namespace)</li>
 * </ul>
 */
public final class GossipAttacker {
    private static final GossipKeys OWN_KEY = ownKey();

    private GossipAttacker() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "leave" -> leave(address(args[1]), args[2], address(args[3]));
            case "fake" -> fake(targets(args));
            case "unknown" -> unknown(targets(args));
            case "replay" -> replay(args[1], args[2], address(args[3]));
            case "metrics" -> System.out.print(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(args[1])).build(), HttpResponse.BodyHandlers.ofString()).body());
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void leave(InetSocketAddress target, String victim, InetSocketAddress victimAddress) throws IOException {
        MemberState left = new MemberState(victim, victimAddress, Long.MAX_VALUE, Long.MAX_VALUE, true);
        byte[] clear = GossipCodec.encode(List.of(left));
        int sent = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 0; i < 5; i++) {
                send(socket, clear, target);
                send(socket, new GossipSeal.Sealer(OWN_KEY, victim, Long.MAX_VALUE).seal(clear, System.currentTimeMillis()), target);
                sent += 2;
            }
        }
        System.out.println("sent " + sent);
    }

    static void fake(List<InetSocketAddress> targets) throws Exception {
        long incarnation = System.currentTimeMillis();
        GossipSeal.Sealer sealer = new GossipSeal.Sealer(OWN_KEY, "n9", incarnation);
        int sent = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(7946))) {
            for (int beat = 1; beat <= 40; beat++) { // 4 s: longer than the join delay, so it would own IPs
                byte[] clear = GossipCodec.encode(List.of(new MemberState("n9",
                        (InetSocketAddress) socket.getLocalSocketAddress(), incarnation, beat, false)));
                for (InetSocketAddress target : targets) {
                    send(socket, clear, target);
                    send(socket, sealer.seal(clear, System.currentTimeMillis()), target);
                    sent += 2;
                }
                Thread.sleep(100);
            }
        }
        System.out.println("sent " + sent);
    }

    static void unknown(List<InetSocketAddress> targets) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] clear = GossipCodec.encode(List.of(new MemberState("intruder", new InetSocketAddress("10.99.0.66", 7946), 1, 1, false)));
        byte[] garbage = new byte[200];
        random.nextBytes(garbage);
        byte[] sealed = new GossipSeal.Sealer(OWN_KEY, "intruder", System.currentTimeMillis()).seal(clear, System.currentTimeMillis());
        byte[] noTag = Arrays.copyOf(sealed, sealed.length - clear.length - 16);
        int sent = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            for (InetSocketAddress target : targets) {
                for (byte[] d : List.of(clear, garbage, sealed, noTag)) {
                    send(socket, d, target);
                    sent++;
                }
            }
        }
        System.out.println("sent " + sent);
    }

    static void replay(String iface, String fromIp, InetSocketAddress to) throws Exception {
        byte[] captured;
        try (PcapHandle handle = new PcapHandle.Builder(iface).snaplen(65_536)
                .promiscuousMode(PromiscuousMode.PROMISCUOUS).timeoutMillis(100).immediateMode(true).build()) {
            handle.setFilter("udp and src host " + fromIp + " and dst host " + to.getAddress().getHostAddress()
                    + " and dst port " + to.getPort(), BpfCompileMode.OPTIMIZE);
            Packet packet;
            do {
                packet = handle.getNextPacket();
            } while (packet == null || packet.get(UdpPacket.class) == null);
            captured = packet.get(UdpPacket.class).getPayload().getRawData();
        }
        int sent = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            Thread.sleep(300);
            for (int i = 0; i < 3; i++) {
                send(socket, captured, to);
                sent++;
            }
            Thread.sleep(5000); // the sender's counter has moved past the receiver's window (64) by now
            send(socket, captured, to);
            sent++;
        }
        System.out.println("sent " + sent);
    }

    private static void send(DatagramSocket socket, byte[] data, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(data, data.length, to));
    }

    private static List<InetSocketAddress> targets(String[] args) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            out.add(address(args[i]));
        }
        return out;
    }

    private static InetSocketAddress address(String ipPort) {
        int colon = ipPort.lastIndexOf(':');
        return new InetSocketAddress(ipPort.substring(0, colon), Integer.parseInt(ipPort.substring(colon + 1)));
    }

    private static GossipKeys ownKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new GossipKeys(List.of(key));
    }
}
