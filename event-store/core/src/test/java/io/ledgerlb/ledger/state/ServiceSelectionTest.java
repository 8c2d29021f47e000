package io.ledgerlb.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.LabelSelectorRequirement;
import io.ledgerlb.events.v1.ServiceRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceSelectionTest {
    static final LabelSelector FRONTEND = LabelSelector.newBuilder().putMatchLabels("tier", "frontend").build();
    static final LabelSelector NOT_BATCH = LabelSelector.newBuilder().addMatchExpressions(LabelSelectorRequirement
            .newBuilder().setKey("kind").setOperator("NotIn").addValues("batch")).build();

    static IpAssigned holder(String name) {
        return IpAssigned.newBuilder().setService(ServiceRef.newBuilder().setNamespace("shop").setName(name)).build();
    }

    @Test
    void noSelectorsSelectEveryServiceEvenWithoutLabels() {
        assertThat(ServiceSelection.selects(List.of(), Map.of())).isTrue();
        assertThat(ServiceSelection.announces(List.of(), List.of(holder("web")), s -> Map.of())).isTrue();
    }

    @Test
    void anyOneSelectorMatchingIsEnough() {
        assertThat(ServiceSelection.selects(List.of(FRONTEND), Map.of("tier", "frontend"))).isTrue();
        assertThat(ServiceSelection.selects(List.of(FRONTEND), Map.of("tier", "db"))).isFalse();
        assertThat(ServiceSelection.selects(List.of(FRONTEND, NOT_BATCH), Map.of("tier", "db"))).isTrue();
        assertThat(ServiceSelection.selects(List.of(FRONTEND, NOT_BATCH), Map.of("tier", "db", "kind", "batch"))).isFalse();
    }

    @Test
    void aSharedIpIsAnnouncedWhenAnyOfItsServicesIsSelected() {
        Map<ServiceKey, Map<String, String>> labels = Map.of(new ServiceKey("shop", "web"), Map.of("tier", "frontend"));
        assertThat(ServiceSelection.announces(List.of(FRONTEND), List.of(holder("db"), holder("web")),
                s -> labels.getOrDefault(s, Map.of()))).isTrue();
        assertThat(ServiceSelection.announces(List.of(FRONTEND), List.of(holder("db")),
                s -> labels.getOrDefault(s, Map.of()))).isFalse();
    }
}
