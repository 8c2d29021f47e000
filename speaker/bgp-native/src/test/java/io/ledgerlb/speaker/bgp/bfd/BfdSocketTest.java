package io.ledgerlb.speaker.bgp.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JNA socket on loopback: what it sends leaves with TTL 255, and the receiver reads that TTL back (GTSM). */
class BfdSocketTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void sendsWithTtl255AndReadsTheTtlOfWhatArrives(String loopback) throws Exception {
        InetAddress address = InetAddress.getByName(loopback);
        try (BfdSocket receiver = BfdSocket.open(0, 49152, 65535); BfdSocket sender = BfdSocket.open(0, 49152, 65535)) {
            assertThat(sender.localPort()).isBetween(49152, 65535);
            byte[] packet = BfdCodec.encode(new BfdControlPacket(0, BfdState.DOWN, false, false, false, false, 3, 1, 0,
                    1_000_000, 300_000, 0));
            sender.send(address, receiver.localPort(), packet);
            Optional<BfdSocket.Datagram> received = Optional.empty();
            for (int i = 0; i < 10 && received.isEmpty(); i++) {
                received = receiver.receive();
            }
            int senderPort = sender.localPort();
            assertThat(received).hasValueSatisfying(d -> {
                assertThat(d.source()).isEqualTo(address); // IPv4 comes back as IPv4, not ::ffff:127.0.0.1
                assertThat(d.sourcePort()).isEqualTo(senderPort);
                assertThat(d.ttl()).isEqualTo(255);
                assertThat(d.data()).isEqualTo(packet);
            });
        }
    }

    @Test
    void aTakenPortIsAnError() throws Exception {
        try (BfdSocket first = BfdSocket.open(0, 49152, 65535)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> BfdSocket.open(first.localPort(), 0, 0))
                    .hasMessageContaining("cannot bind UDP port " + first.localPort());
        }
    }
}
