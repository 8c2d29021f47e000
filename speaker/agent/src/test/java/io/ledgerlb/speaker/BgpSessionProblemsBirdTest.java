package io.ledgerlb.speaker;

import static io.ledgerlb.speaker.BgpSpeakingTest.ledger;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.speaker.bgp.nativ.BirdRouter;
import io.ledgerlb.speaker.bgp.nativ.NetnsLab;
import io.ledgerlb.speaker.k8s.BgpPeerObjects;
import io.ledgerlb.speaker.owner.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session problems with a real BIRD 2 in a network namespace (as {@code BirdInteropTest} sets up
 * its lab) become Warning Events on the BGPPeer (fabric8's CRUD mock): a wrong peer ASN gives the
 * OPEN error NOTIFICATION the speaker sends, once, and an established session that BIRD shuts
 * down gives the Cease NOTIFICATION it received.
 */
@EnableKubernetesMockClient(crud = true)
class BgpSessionProblemsBirdTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String NS = "metallb-system";
    static final NodeInfo NODE = new NodeInfo("n1", Map.of(), false);
    static final long SPEAKER_AS = 64512;
    static final long BIRD_AS = 65001;
    static KubernetesClient client;

    NetnsLab lab;
    BirdRouter bird;
    BgpSpeaking speaking;

    @BeforeEach
    void lab() throws Exception {
        NetnsLab.assumeAvailable(BirdRouter.BIRD, BirdRouter.BIRDC, "/usr/sbin/ip");
        lab = new NetnsLab();
        bird = new BirdRouter(lab, BIRD_AS, SPEAKER_AS, true, 9, "");
        speaking = new BgpSpeaking(lab.hostV4, Optional.of(client), "n1", NS, () -> { }, new SimpleMeterRegistry());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (speaking != null) {
            speaking.close();
        }
        if (bird != null) {
            bird.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    BgpPeerDefined.Builder bird(long peerAs) {
        return BgpPeerDefined.newBuilder().setName("bird").setMyAsn((int) SPEAKER_AS).setPeerAsn((int) peerAs)
                .setPeerAddress(lab.routerV4.getHostAddress()).setSourceAddress(lab.hostV4.getHostAddress())
                .setHoldTimeSeconds(9).setConnectTimeSeconds(5);
    }

    int badPeerAsLogged() throws Exception {
        return lab.log("bird").toLowerCase(java.util.Locale.ROOT).split("bad peer as", -1).length - 1;
    }

    static List<Event> warnings(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void aWrongPeerAsnAndAnEstablishedSessionShutDownByTheRouterBecomeEvents() throws Exception {
        BgpPeerObjects.create(client, NS, "bird", null);

        speaking.apply(ledger(bird(65009)), NODE, Map.of()); // BIRD is AS 65001
        await().atMost(WAIT).untilAsserted(() -> assertThat(warnings("BGPSessionNotEstablished"))
                .anySatisfy(e -> assertThat(e.getMessage()).startsWith("node n1: the BGP session does not come up: to "
                                + lab.routerV4.getHostAddress() + ":179 (AS 65009): ")
                        .contains("peer AS 65001, expected 65009, sent NOTIFICATION 2/2 (OPEN Message Error / Bad Peer AS)")));
        // it keeps failing alike: still one Event for that cause
        int failures = warnings("BGPSessionNotEstablished").size();
        await().atMost(WAIT).until(() -> badPeerAsLogged() >= 5); // BIRD logs each NOTIFICATION it receives
        assertThat(warnings("BGPSessionNotEstablished")).filteredOn(e -> e.getMessage().contains("Bad Peer AS")).hasSize(1);
        assertThat(warnings("BGPSessionNotEstablished")).hasSize(failures);

        speaking.apply(ledger(bird(BIRD_AS)), NODE, Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(bird.protocolState()).contains("Established"));
        bird.cli("disable speaker");
        await().atMost(WAIT).untilAsserted(() -> assertThat(warnings("BGPSessionDown")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).startsWith("node n1: the established BGP session went down: to "
                                + lab.routerV4.getHostAddress() + ":179 (AS 65001): ")
                        .contains("peer sent NOTIFICATION 6/2 (Cease / Administrative Shutdown)")));
    }
}
