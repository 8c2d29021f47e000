package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.kube.health.Health;
import io.ledgerlb.kube.health.HealthEvents;
import io.ledgerlb.speaker.k8s.SpeakerEvents;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.ledgerlb.speaker.owner.Ledgers;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The speaker's ledger follower failing for real (its thread ended, behind a ledger that has more,
 * a broker that does not answer) against the real ledger (the embedded broker), seen where an operator
 * sees it: the speaker's {@code /readyz} and {@code /metrics} over HTTP and an Event on the Node
 * (fabric8's CRUD mock).
 */
@EnableKubernetesMockClient(crud = true)
class LedgerWatchTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static KubernetesClient client;

    final Deque<AutoCloseable> started = new ArrayDeque<>();
    SpeakerMetrics metrics;
    Health health;
    Speaker speaker;
    int port;

    <T extends AutoCloseable> T started(T resource) {
        started.push(resource);
        return resource;
    }

    @BeforeEach
    void speaker() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        metrics = new SpeakerMetrics();
        metrics.serve(port);
        started(metrics::stop);
        health = metrics.health();
        health.onChange(started(SpeakerEvents.healthEvents(client, "n1")));
        speaker = started(new Speaker("n1", new L2Announcer(List.of(), metrics), metrics,
                Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @AfterEach
    void stop() throws Exception {
        while (!started.isEmpty()) {
            started.pop().close();
        }
    }

    LedgerWatch watch(Function<LedgerListener, LedgerFollower> follow, Callable<Long> lastSequence) {
        return started(new LedgerWatch(follow, lastSequence, speaker, health, Duration.ofSeconds(1), Duration.ofMillis(100)));
    }

    @Test
    void aFollowerWhoseThreadEndsMakesTheSpeakerUnreadyAndIsReplacedByOneThatFollows() throws Exception {
        KafkaLedger ledger = started(LedgerFixture.open("watch-dies"));
        LedgerWriter writer = started(ledger.openWriter("test"));
        Ledgers.append(writer, Ledgers.pool("a", "192.0.2.0/28", Map.of()));
        CountDownLatch seenDown = new CountDownLatch(1);
        AtomicInteger followers = new AtomicInteger();
        LedgerWatch watch = watch(listener -> {
            if (followers.incrementAndGet() > 1) {
                await().atMost(WAIT).until(() -> seenDown.getCount() == 0); // the new follower starts once the test saw the old one fail
            }
            return ledger.follow(listener);
        }, ledger::lastSequence);
        await().atMost(WAIT).until(() -> readyz() == 200);
        LedgerFollower first = watch.follower();

        first.close(); // its thread ends as if it had died
        await().atMost(WAIT).until(() -> readyz() == 503);
        assertThat(get("/readyz").body()).contains("ledger: the ledger follower's thread ended");
        assertThat(scrape()).contains("ledgerlb_speaker_component_up{component=\"ledger\"} 0")
                .contains("ledgerlb_speaker_component_failures_total{component=\"ledger\"} 1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo(HealthEvents.downReason("speaker")).isEqualTo("SpeakerComponentDown");
                    assertThat(e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName()).isEqualTo("Node/n1");
                }));
        seenDown.countDown();

        await().atMost(WAIT).until(() -> readyz() == 200);
        assertThat(followers).hasValue(2);
        assertThat(watch.follower()).isNotSameAs(first);
        Ledgers.append(writer, Ledgers.pool("b", "192.0.2.16/28", Map.of()));
        assertThat(watch.follower().awaitSequence(ledger.lastSequence(), WAIT)).isTrue();
        assertThat(scrape()).contains("ledgerlb_speaker_component_up{component=\"ledger\"} 1");
    }

    @Test
    void aFollowerBehindALedgerThatAnswersIsStaleUntilItCatchesUp() throws Exception {
        // the follower reads one topic; the probe asks where another, longer, one ends
        KafkaLedger followed = started(LedgerFixture.open("watch-behind"));
        KafkaLedger ahead = started(LedgerFixture.open("watch-ahead"));
        LedgerWriter writer = started(followed.openWriter("test"));
        try (LedgerWriter aheadWriter = ahead.openWriter("test")) {
            Ledgers.append(aheadWriter, Ledgers.pool("a", "192.0.2.0/28", Map.of()), Ledgers.pool("b", "192.0.2.16/28", Map.of()));
        }
        Ledgers.append(writer, Ledgers.pool("a", "192.0.2.0/28", Map.of()));
        watch(followed::follow, ahead::lastSequence);
        speaker.awaitLedgerFolded();

        await().atMost(WAIT).until(() -> health.problem(LedgerWatch.COMPONENT).orElse("").contains("behind the ledger's end for over 1 s (1 entries"));
        assertThat(readyz()).isEqualTo(503);
        assertThat(speaker.planningFrozen()).as("known stale: nothing planned from it").isTrue();

        Ledgers.append(writer, Ledgers.pool("b", "192.0.2.16/28", Map.of())); // caught up with where the other ends
        await().atMost(WAIT).until(() -> readyz() == 200);
        assertThat(speaker.planningFrozen()).isFalse();
    }

    @Test
    void kafkaNotAnsweringMakesTheSpeakerUnreadyButKeepsItPlanning() throws Exception {
        KafkaLedger ledger = started(LedgerFixture.open("watch-unreachable"));
        Ledgers.append(started(ledger.openWriter("test")), Ledgers.pool("a", "192.0.2.0/28", Map.of()));
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        // the probe's Kafka client asks a broker that is not there
        Map<String, Object> deadBroker = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + deadPort,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 500, ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 500);
        TopicPartition partition = new TopicPartition(ledger.config().eventsTopic(), 0);
        watch(ledger::follow, () -> {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(deadBroker, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                return c.endOffsets(List.of(partition)).get(partition);
            }
        });

        await().atMost(WAIT).until(() -> health.problem(LedgerWatch.COMPONENT).orElse("").contains("Kafka has not answered a read of the ledger's end"));
        assertThat(readyz()).isEqualTo(503);
        assertThat(speaker.planningFrozen()).as("nobody can write the ledger either: failover goes on").isFalse();
    }

    int readyz() throws Exception {
        return get("/readyz").statusCode();
    }

    String scrape() throws Exception {
        return get("/metrics").body();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
