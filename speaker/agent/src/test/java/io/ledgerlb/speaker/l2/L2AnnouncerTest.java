package io.ledgerlb.speaker.l2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.net.IpText;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class L2AnnouncerTest {
    private static final int IPS = 2_000;

    /** What a link was asked to send; it takes {@code delayMs} per frame (pcap on a loaded node takes about a millisecond). */
    private static final class RecordingLink implements L2Announcer.Link {
        final ConcurrentLinkedQueue<byte[]> sent = new ConcurrentLinkedQueue<>();
        private final long delayMs;

        RecordingLink() {
            this(0);
        }

        RecordingLink(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public InterfaceIdentity identity() {
            return new InterfaceIdentity("eth0", MacAddress.parse("02:00:00:00:00:01"));
        }

        @Override
        public void send(byte[] frame) {
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            sent.add(frame);
        }
    }

    @Test
    void aMassTakeoverIsAnnouncedInSharedRoundsAndEveryIpGetsItsWholeBurst() throws Exception {
        RecordingLink link = new RecordingLink();
        SpeakerMetrics metrics = new SpeakerMetrics();
        List<InetAddress> ips = addresses();
        try (L2Announcer announcer = new L2Announcer(List.of(link), metrics)) {
            long start = System.nanoTime();
            for (InetAddress ip : ips) {
                announcer.own(ip, Set.of());
                announcer.announce(ip);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            // One round per burst step and ROUND_MS of calls, whatever the number of IPs.
            long windows = elapsedMs / L2Announcer.ROUND_MS + 2;
            assertThat(announcer.pendingRounds()).isLessThanOrEqualTo((int) (L2Announcer.BURST_MS.size() * windows));

            Awaitility.await().until(() -> link.sent.size() >= IPS * L2Announcer.BURST_MS.size());
            assertThat(link.sent).hasSize(IPS * L2Announcer.BURST_MS.size());
            for (InetAddress ip : ips) {
                assertThat(metrics.value(SpeakerMetrics.GRATUITOUS, IpText.of(ip))).as(IpText.of(ip))
                        .isEqualTo(L2Announcer.BURST_MS.size());
            }
            assertThat(announcer.pendingRounds()).isZero();
        }
    }

    @Test
    void anIpGivenUpBeforeItsRoundIsNotAnnounced() throws Exception {
        RecordingLink link = new RecordingLink();
        SpeakerMetrics metrics = new SpeakerMetrics();
        InetAddress kept = InetAddress.getByName("192.0.2.1");
        InetAddress lost = InetAddress.getByName("192.0.2.2");
        try (L2Announcer announcer = new L2Announcer(List.of(link), metrics)) {
            announcer.own(kept, Set.of());
            announcer.own(lost, Set.of());
            announcer.announce(kept);
            announcer.announce(lost);
            Awaitility.await().until(() -> metrics.value(SpeakerMetrics.GRATUITOUS, "192.0.2.1") >= 1);
            announcer.disown(lost);
            long lostBefore = metrics.value(SpeakerMetrics.GRATUITOUS, "192.0.2.2");
            Awaitility.await().until(() -> announcer.pendingRounds() == 0);
            assertThat(metrics.value(SpeakerMetrics.GRATUITOUS, "192.0.2.1")).isEqualTo(L2Announcer.BURST_MS.size());
            assertThat(metrics.value(SpeakerMetrics.GRATUITOUS, "192.0.2.2")).as("nothing sent for an IP after it was given up")
                    .isEqualTo(lostBefore);
        }
    }

    @Test
    void anIpTakenDuringAMassTakeoversRepeatsIsAnnouncedBeforeThem() throws Exception {
        RecordingLink link = new RecordingLink(1);
        List<InetAddress> ips = addresses();
        InetAddress later = InetAddress.getByName("192.0.2.9");
        try (L2Announcer announcer = new L2Announcer(List.of(link), new SpeakerMetrics())) {
            for (InetAddress ip : ips) {
                announcer.own(ip, Set.of());
                announcer.announce(ip);
            }
            // the takeover's first round is out; its repeats (two more rounds of every IP) are being sent
            Awaitility.await().until(() -> link.sent.size() >= IPS);
            announcer.own(later, Set.of());
            announcer.announce(later);
            Awaitility.await().until(() -> link.sent.size() >= 3 * IPS + L2Announcer.BURST_MS.size());
            List<byte[]> sent = new ArrayList<>(link.sent);
            byte[] laterFrame = Frames.gratuitousArp(link.identity().mac(), (java.net.Inet4Address) later);
            byte[] lastOfTakeover = Frames.gratuitousArp(link.identity().mac(), (java.net.Inet4Address) ips.get(IPS - 1));
            int laterFirst = indexOf(sent, laterFrame, 0);
            int takeoverLast = lastIndexOf(sent, lastOfTakeover);
            assertThat(laterFirst).as("the later IP's first announcement goes out before the takeover's last repeat")
                    .isGreaterThanOrEqualTo(IPS).isLessThan(takeoverLast);
        }
    }

    private static int indexOf(List<byte[]> frames, byte[] frame, int from) {
        for (int i = from; i < frames.size(); i++) {
            if (java.util.Arrays.equals(frames.get(i), frame)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<byte[]> frames, byte[] frame) {
        for (int i = frames.size() - 1; i >= 0; i--) {
            if (java.util.Arrays.equals(frames.get(i), frame)) {
                return i;
            }
        }
        return -1;
    }

    private static List<InetAddress> addresses() throws UnknownHostException {
        List<InetAddress> ips = new ArrayList<>();
        for (int i = 0; i < IPS; i++) {
            ips.add(InetAddress.getByAddress(new byte[] {10, 99, (byte) (i >> 8), (byte) i}));
        }
        return ips;
    }
}
