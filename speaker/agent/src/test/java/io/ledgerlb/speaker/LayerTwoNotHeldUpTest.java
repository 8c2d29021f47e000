package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.testing.LedgerFixture;
import io.ledgerlb.speaker.l2.L2Announcer;
import io.ledgerlb.speaker.metrics.SpeakerMetrics;
import io.ledgerlb.speaker.owner.Ledgers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Layer 2 is not held up by BGP: while the BGP side waits on an API server that takes a request
 * and never answers (the password Secret of a BGPPeer), the real ledger's new assignments still
 * reach Layer 2's owned IPs. Before planning left the ledger's lock, the planning thread sat in
 * that request, and so did the follower.
 */
class LayerTwoNotHeldUpTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    /** An API server that reads requests and never answers them. */
    static final class SilentApi implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> open = new CopyOnWriteArrayList<>();
        /** First lines of the requests on connections the client still holds open. */
        final Map<Socket, String> pending = new ConcurrentHashMap<>();

        SilentApi() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        open.add(s);
                        Thread reader = new Thread(() -> read(s), "silent-api-read");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-api");
            t.setDaemon(true);
            t.start();
        }

        void read(Socket s) {
            byte[] buffer = new byte[8192];
            try (InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    pending.put(s, new String(buffer, 0, n, StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
                }
            } catch (IOException e) {
                // closed
            } finally {
                pending.remove(s);
            }
        }

        /** Whether a request for {@code path} waits for its answer. */
        boolean waitingFor(String path) {
            return pending.values().stream().anyMatch(r -> r.contains(path));
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void newAssignmentsReachLayerTwoWhileBgpWaitsOnAnApiServerThatNeverAnswers() throws Exception {
        SpeakerMetrics metrics = new SpeakerMetrics();
        L2Announcer announcer = new L2Announcer(List.of(), metrics);
        try (SilentApi api = new SilentApi();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl("http://127.0.0.1:" + api.server.getLocalPort())
                     .withRequestTimeout(600_000).withRequestRetryBackoffLimit(0).build()).build();
             KafkaLedger ledger = LedgerFixture.open("l2-not-held-up");
             LedgerWriter writer = ledger.openWriter("test");
             BgpSpeaking bgp = new BgpSpeaking(InetAddress.getLoopbackAddress(), Optional.of(client), "n1", "metallb-system",
                     () -> { }, new SimpleMeterRegistry());
             Speaker speaker = new Speaker("n1", announcer, metrics, Optional.empty(), Optional.empty(), Optional.of(bgp));
             LedgerFollower follower = ledger.follow(speaker)) {
            speaker.following(follower);
            speaker.eligibleMembersChanged(Set.of("n1"));
            Ledgers.append(writer, Ledgers.pool("p", "192.0.2.0/28", Map.of()), Ledgers.l2("l2", List.of("p"), List.of(), Map.of()),
                    Event.newBuilder().setBgpPeerDefined(BgpSpeakingTest.peer("router")
                            .setPassword(SecretRef.newBuilder().setNamespace("metallb-system").setName("router-password").setKey("password"))),
                    Ledgers.assign("a", "192.0.2.1", "p", false));
            await().atMost(WAIT).until(() -> api.waitingFor("/secrets")); // BGP is stuck listing the Secrets now

            Ledgers.append(writer, Ledgers.assign("b", "192.0.2.2", "p", false));
            await().atMost(WAIT).until(() -> announcer.owned().ips().contains(InetAddress.getByName("192.0.2.2")));
            assertThat(api.waitingFor("/secrets")).as("the Secrets request still waits").isTrue();
        } finally {
            announcer.close();
            metrics.stop();
        }
    }
}
