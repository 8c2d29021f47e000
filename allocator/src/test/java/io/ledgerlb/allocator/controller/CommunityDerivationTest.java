package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.ledgerlb.allocator.core.InMemoryChain;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 7: a BGPAdvertisement resolves Community aliases from the ledger's state, and a
 * change of a Community re-derives the advertisements that use it, in the same step, as events.
 */
class CommunityDerivationTest {
    static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");
    final List<GenericKubernetesResource> advertisements = new ArrayList<>();
    final CoreAllocationStep step = new CoreAllocationStep("allocator-0", null,
            kind -> kind == MetalLbKinds.BGP_ADVERTISEMENT ? advertisements : List.of());
    final InMemoryChain chain = new InMemoryChain(step::applied);

    @Test
    void changingACommunityAliasReachesTheAdvertisementsThatUseIt() {
        commit(MetalLbKinds.COMMUNITY, community("65000:100"));
        GenericKubernetesResource advertisement = resource("BGPAdvertisement", "adv",
                Map.of("communities", List.of("gold", "65000:7")));
        advertisements.add(advertisement);
        commit(MetalLbKinds.BGP_ADVERTISEMENT, advertisement);
        assertThat(chain.state().bgpAdvertisements().get("adv").getCommunitiesList()).containsExactly("65000:100", "65000:7");

        List<Event> events = commit(MetalLbKinds.COMMUNITY, community("65000:200"));
        assertThat(events).extracting(Event::getBodyCase)
                .containsExactly(Event.BodyCase.COMMUNITY_DEFINED, Event.BodyCase.BGP_ADVERTISEMENT_DEFINED);
        assertThat(events.get(1).getCause().getReason()).isEqualTo("CommunityChanged");
        assertThat(chain.state().bgpAdvertisements().get("adv").getCommunitiesList()).containsExactly("65000:200", "65000:7");
        assertThat(chain.replay()).isEqualTo(chain.state());

        // the same Community again changes nothing
        assertThat(commit(MetalLbKinds.COMMUNITY, community("65000:200"))).isEmpty();
    }

    @Test
    void anAdvertisementResolvesAliasesFromTheLedgerNotFromTheCache() {
        GenericKubernetesResource advertisement = resource("BGPAdvertisement", "adv", Map.of("communities", List.of("gold")));
        advertisements.add(advertisement);
        // the Community is not in the ledger yet: the advertisement is invalid, nothing is recorded
        AllocationStep.Decision refused = step.config(chain.state(), MetalLbKinds.BGP_ADVERTISEMENT, advertisement,
                Cause.getDefaultInstance(), NOW);
        assertThat(refused.events()).isEmpty();
        assertThat(refused.invalid()).hasValueSatisfying(why -> assertThat(why).contains("gold"));
        commit(MetalLbKinds.COMMUNITY, community("65000:100"));
        commit(MetalLbKinds.BGP_ADVERTISEMENT, advertisement);
        assertThat(chain.state().bgpAdvertisements().get("adv").getCommunitiesList()).containsExactly("65000:100");
    }

    private List<Event> commit(MetalLbKinds kind, GenericKubernetesResource resource) {
        AllocationStep.Decision decision = step.config(chain.state(), kind, resource, Cause.getDefaultInstance(), NOW);
        assertThat(decision.invalid()).isEmpty();
        chain.append(decision.events());
        return decision.events();
    }

    private static GenericKubernetesResource community(String value) {
        return resource("Community", "aliases", Map.of("communities", List.of(Map.of("name", "gold", "value", value))));
    }

    private static GenericKubernetesResource resource(String kind, String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta1").withKind(kind)
                .withNewMetadata().withName(name).withNamespace("metallb-system").endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }
}
