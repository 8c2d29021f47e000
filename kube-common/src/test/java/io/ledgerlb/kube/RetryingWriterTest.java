package io.ledgerlb.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A refused write is tried again until it goes through, writing what is wanted by then; waiting writes of a key coalesce. */
class RetryingWriterTest {
    @Test
    void aRefusedWriteIsTriedAgainWithWhatIsWantedThen() {
        ScheduledExecutorService thread = WriteRetries.writerThread("test-writer");
        AtomicInteger wanted = new AtomicInteger(1);
        AtomicInteger refusals = new AtomicInteger(2);
        List<Integer> written = new CopyOnWriteArrayList<>();
        RetryingWriter<String> writer = new RetryingWriter<>(thread, "Test", k -> k, key -> {
            if (refusals.getAndDecrement() > 0) {
                wanted.incrementAndGet(); // what is wanted changes while the write waits
                throw new KubernetesClientException("refused by the test", 500, null);
            }
            written.add(wanted.get());
        });
        try {
            writer.submit("shop/web");
            await().atMost(Duration.ofSeconds(20)).until(() -> !written.isEmpty());
            assertThat(written).containsExactly(3);
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void writesOfAKeyWaitingTogetherAreOneWrite() throws Exception {
        ScheduledExecutorService thread = WriteRetries.writerThread("test-writer");
        CountDownLatch busy = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        RetryingWriter<String> writer = new RetryingWriter<>(thread, "Test", k -> k, key -> writes.incrementAndGet());
        try {
            thread.execute(() -> {
                try {
                    busy.await(); // holds the writer's thread while the submits arrive
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            writer.submit("shop/web");
            writer.submit("shop/web");
            writer.submit("shop/web");
            busy.countDown();
            thread.submit(() -> { }).get(); // after the writes queued before it
            assertThat(writes).hasValue(1);
        } finally {
            thread.shutdownNow();
        }
    }
}
