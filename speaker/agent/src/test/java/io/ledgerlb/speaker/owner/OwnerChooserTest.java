package io.ledgerlb.speaker.owner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import net.jqwik.api.From;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;

class OwnerChooserTest {

    @Property
    void everySpeakerComputesTheSameOwnerWhateverOrderItSeesTheNodesIn(
            @ForAll @UniqueElements @Size(min = 1, max = 12) List<@From("nodes") String> nodes,
            @ForAll("ips") String ip, @ForAll long seed) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, new java.util.Random(seed));

        String owner = OwnerChooser.owner(ip, nodes).orElseThrow();
        assertThat(OwnerChooser.owner(ip, shuffled)).contains(owner);
        assertThat(OwnerChooser.owner(ip, new HashSet<>(nodes))).contains(owner);
        assertThat(nodes).contains(owner);
    }

    @Property
    void losingANodeMovesOnlyTheIpsItOwned(
            @ForAll @UniqueElements @Size(min = 2, max = 8) List<@From("nodes") String> nodes,
            @ForAll @UniqueElements @Size(min = 1, max = 40) List<@From("ips") String> ips,
            @ForAll int which) {
        String lost = nodes.get(Math.floorMod(which, nodes.size()));
        List<String> remaining = new ArrayList<>(nodes);
        remaining.remove(lost);

        for (String ip : ips) {
            String before = OwnerChooser.owner(ip, nodes).orElseThrow();
            String after = OwnerChooser.owner(ip, remaining).orElseThrow();
            if (before.equals(lost)) {
                assertThat(after).isNotEqualTo(lost);
            } else {
                assertThat(after).as("owner of %s when %s is lost", ip, lost).isEqualTo(before);
            }
        }
    }

    @Property
    void aNodeComingBackTakesBackExactlyWhatItHadBefore(
            @ForAll @UniqueElements @Size(min = 2, max = 8) List<@From("nodes") String> nodes,
            @ForAll @UniqueElements @Size(min = 1, max = 40) List<@From("ips") String> ips) {
        String returning = nodes.get(0);
        for (String ip : ips) {
            String withAll = OwnerChooser.owner(ip, nodes).orElseThrow();
            String without = OwnerChooser.owner(ip, nodes.subList(1, nodes.size())).orElseThrow();
            assertThat(withAll).isIn(returning, without);
        }
    }

    @Example
    void noCandidateNoOwner() {
        assertThat(OwnerChooser.owner("10.0.0.1", List.of())).isEmpty();
    }

    @Example
    void ipsSpreadOverTheNodes() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(OwnerChooser.owner("10.0." + (i / 250) + "." + (i % 250), List.of("a", "b", "c")).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b", "c");
        assertThat(counts.values()).allMatch(c -> c > 50);
    }

    @Provide
    Arbitrary<String> nodes() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8).map(s -> "node-" + s);
    }

    @Provide
    Arbitrary<String> ips() {
        Arbitrary<String> v4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(o -> String.join(".", o.stream().map(String::valueOf).toList()));
        Arbitrary<String> v6 = Arbitraries.integers().between(0, 0xffff).map(h -> "2001:db8::" + Integer.toHexString(h));
        return Arbitraries.oneOf(v4, v6);
    }

}
