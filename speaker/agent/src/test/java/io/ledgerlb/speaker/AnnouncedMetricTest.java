package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.ledgerlb.speaker.owner.Ledgers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code metallb_speaker_announced} follows every Service on an IP this node announces — also
 * one that joins (a shared IP) or leaves while the node keeps the IP — with the real ledger.
 */
class AnnouncedMetricTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void servicesJoiningAndLeavingAnIpThisNodeKeepsAreSeries() throws Exception {
        SpeakerMetrics metrics = new SpeakerMetrics();
        try (KafkaLedger ledger = LedgerFixture.open("announced");
             LedgerWriter writer = ledger.openWriter("test");
             Speaker speaker = new Speaker("n1", new L2Announcer(List.of(), metrics), metrics,
                     Optional.empty(), Optional.empty(), Optional.empty());
             LedgerFollower follower = ledger.follow(speaker)) {
            speaker.following(follower);
            speaker.eligibleMembersChanged(Set.of("n1"));
            Ledgers.append(writer, Ledgers.pool("p", "192.0.2.0/28", Map.of()), Ledgers.l2("l2", List.of("p"), List.of(), Map.of()),
                    Ledgers.assign("a", "192.0.2.1", "p", false));
            await().atMost(WAIT).until(() -> metrics.render().contains(series("a")));

            Ledgers.append(writer, Ledgers.assign("b", "192.0.2.1", "p", false)); // shares the IP n1 already announces
            await().atMost(WAIT).until(() -> metrics.render().contains(series("b")));
            assertThat(metrics.render()).contains(series("a"));

            Ledgers.append(writer, RELEASE_A);
            await().atMost(WAIT).until(() -> !metrics.render().contains(series("a")));
            assertThat(metrics.render()).contains(series("b"));
        } finally {
            metrics.stop();
        }
    }

    static final io.ledgerlb.events.v1.Event.Builder RELEASE_A = BgpSpeakerEndToEndTest.release("a", "192.0.2.1").setIpReleased(
            BgpSpeakerEndToEndTest.release("a", "192.0.2.1").getIpReleased().toBuilder().setPool("p"));

    static String series(String service) {
        return "metallb_speaker_announced{ip=\"192.0.2.1\",node=\"n1\",protocol=\"layer2\",service=\"default/" + service + "\"} 1";
    }
}
