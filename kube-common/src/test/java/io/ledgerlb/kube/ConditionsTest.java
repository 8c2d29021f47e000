package io.ledgerlb.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.ledgerlb.kube.Conditions.Condition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Writers merge their own condition types and leave the others' alone. */
class ConditionsTest {
    static final Map<String, Object> VALID = Map.of("type", "Valid", "status", "True", "reason", "Accepted",
            "message", "accepted by the allocator", "lastTransitionTime", "2026-01-01T00:00:00Z");

    @Test
    void aSpeakersConditionIsAddedBesideTheAllocatorsWhichIsKeptAsItIs() {
        List<Map<String, Object>> merged = Conditions.merged(Map.of("conditions", List.of(VALID)),
                List.of(new Condition("Supported", true, "Supported", "the native BGP backend serves this peer")), 3L);

        assertThat(merged).hasSize(2);
        assertThat(merged.get(0)).isEqualTo(VALID);
        assertThat(merged.get(1)).containsEntry("type", "Supported").containsEntry("status", "True")
                .containsEntry("observedGeneration", 3L).containsKey("lastTransitionTime");
    }

    @Test
    void nothingToWriteWhenTheConditionAlreadySaysSo() {
        Map<String, Object> status = Map.of("conditions", List.of(VALID));
        Condition same = new Condition("Valid", true, "Accepted", "accepted by the allocator");

        assertThat(Conditions.merged(status, List.of(same), null)).isNull();
    }

    @Test
    void aNewMessageWithTheSameStatusKeepsTheTransitionTimeAndANewStatusMovesIt() {
        Map<String, Object> status = Map.of("conditions", List.of(VALID));

        List<Map<String, Object>> reworded = Conditions.merged(status,
                List.of(new Condition("Valid", true, "AcceptedWithWarnings", "accepted; ignored: x")), null);
        assertThat(reworded).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("reason", "AcceptedWithWarnings").containsEntry("lastTransitionTime", "2026-01-01T00:00:00Z"));

        List<Map<String, Object>> refused = Conditions.merged(status,
                List.of(new Condition("Valid", false, "InvalidConfiguration", "bad")), null);
        assertThat(refused).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("status", "False").doesNotContainEntry("lastTransitionTime", "2026-01-01T00:00:00Z"));
    }

    @Test
    void aNewGenerationIsWrittenEvenWhenTheConditionReadsTheSame() {
        Map<String, Object> status = Map.of("conditions", List.of(Map.of("type", "Valid", "status", "True",
                "reason", "Accepted", "message", "ok", "observedGeneration", 1)));
        Condition valid = new Condition("Valid", true, "Accepted", "ok");

        assertThat(Conditions.merged(status, List.of(valid), 1L)).isNull();
        assertThat(Conditions.merged(status, List.of(valid), 2L)).singleElement()
                .satisfies(c -> assertThat(c).containsEntry("observedGeneration", 2L));
    }
}
