package io.ledgerlb.speaker.bgp.nativ;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpMessage;
import io.ledgerlb.speaker.bgp.codec.KeepaliveMessage;
import io.ledgerlb.speaker.bgp.codec.NotificationMessage;
import io.ledgerlb.speaker.bgp.codec.OpenMessage;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    final AtomicLong gauge = new AtomicLong();
    final OutboundQueue queue = new OutboundQueue(gauge::addAndGet);

    static byte[] wire(BgpMessage m) {
        return BgpCodec.encode(m, true);
    }

    static byte[] update(int i) {
        return wire(new UpdateMessage(List.of(IpPrefix.parse("10.99.0." + i + "/32")), List.of(), List.of()));
    }

    List<Integer> types(List<byte[]> batch) {
        List<Integer> types = new ArrayList<>();
        batch.forEach(m -> types.add((int) m[18]));
        return types;
    }

    @Test
    void keepalivesAndNotificationsOvertakeUpdatesButNotAnOpen() throws Exception {
        queue.add(wire(OpenMessage.of(65000, 90, (Inet4Address) InetAddress.getByName("10.99.0.1"), List.of())));
        queue.add(update(1));
        queue.add(wire(KeepaliveMessage.INSTANCE));
        queue.add(wire(KeepaliveMessage.INSTANCE)); // one waiting keepalive is enough
        queue.add(update(2));
        assertThat(types(queue.take(1 << 20))).containsExactly(1, 4, 2, 2);
    }

    @Test
    void aboveTheHighWaterMarkItIsNotWritableUntilDrainedToTheLowOne() throws Exception {
        byte[] update = update(1);
        int count = 0;
        while (queue.writable()) {
            queue.add(update);
            count++;
        }
        assertThat(gauge.get()).isEqualTo((long) count * update.length).isGreaterThanOrEqualTo(OutboundQueue.HIGH_WATER);
        boolean drained = false;
        while (!drained) {
            List<byte[]> batch = queue.take(update.length);
            drained = queue.written(batch.stream().mapToInt(m -> m.length).sum());
            assertThat(queue.writable()).isEqualTo(drained || queue.bytes() < OutboundQueue.HIGH_WATER);
        }
        assertThat(queue.bytes()).isLessThanOrEqualTo(OutboundQueue.LOW_WATER);
        assertThat(queue.written(0)).as("said once").isFalse();
    }

    @Test
    void finishingDropsQueuedUpdatesAndKeepsTheNotification() throws Exception {
        for (int i = 0; i < 10; i++) {
            queue.add(update(i));
        }
        byte[] notification = wire(new NotificationMessage(4, 0));
        queue.add(notification);
        queue.finish();
        assertThat(queue.writable()).isFalse();
        List<byte[]> batch = queue.take(1 << 20);
        assertThat(types(batch)).containsExactly(3);
        queue.written(notification.length);
        assertThat(queue.take(1 << 20)).as("finished and written").isEmpty();
        assertThat(gauge.get()).isZero();
    }
}
