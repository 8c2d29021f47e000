package io.ledgerlb.allocator.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/crds} accepts what MetalLB 0.16.1's CRDs accept: same versions, types, defaults,
 * required fields, ranges, patterns, CEL rules, map/list types and printer columns. The facts in
 * {@code src/test/resources/metallb-0.16.1} are {@link CrdFacts} of MetalLB v0.16.1's
 * {@code config/crd/bases}; to record them again, point {@code -Dledgerlb.metallbCrds} at a
 * checkout's {@code config/crd/bases}. The one recorded difference is deliberate: MetalLB's
 * kustomize and Helm installs add a conversion webhook to bgppeers, ledgerlb serves both
 * versions without one (strategy None; the facts already say None, as {@code bases} does).
 */
class MetalLbCrdFactsTest {
    static final Path FACTS = Path.of("src", "test", "resources", "metallb-0.16.1");

    @ParameterizedTest
    @ValueSource(strings = {"bfdprofiles", "bgpadvertisements", "bgppeers", "communities", "configurationstates",
            "ipaddresspools", "l2advertisements", "servicebgpstatuses", "servicel2statuses"})
    void deployedCrdHasMetalLbsFacts(String plural) throws IOException {
        Path facts = FACTS.resolve(plural + ".facts");
        String source = System.getProperty("ledgerlb.metallbCrds");
        if (source != null) {
            Files.createDirectories(FACTS);
            Files.write(facts, CrdFacts.of(Path.of(source, "metallb.io_" + plural + ".yaml")));
        }
        List<String> expected;
        try (Stream<String> lines = Files.lines(facts)) {
            expected = lines.toList();
        }
        List<String> deployed = CrdFacts.of(CrdYamlTest.DEPLOYED.resolve(plural + ".metallb.io.yaml"));
        List<String> missing = expected.stream().filter(fact -> !deployed.contains(fact)).toList();
        List<String> extra = deployed.stream().filter(fact -> !expected.contains(fact))
                .filter(fact -> !isLedgerlbConditions(fact)).toList();
        assertThat(missing).as("MetalLB 0.16.1's facts missing from deploy/crds/%s.metallb.io.yaml", plural).isEmpty();
        assertThat(extra).as("facts of deploy/crds/%s.metallb.io.yaml that MetalLB 0.16.1 does not have", plural).isEmpty();
    }

    /**
     * The one addition: ledgerlb reports a config object's problems in its own
     * {@code status.conditions} as well as in ConfigurationState. MetalLB's schemas have an empty
     * status, so with MetalLB's CRDs installed the API server prunes them and nothing else changes.
     */
    static boolean isLedgerlbConditions(String fact) {
        return fact.contains(" .status.conditions");
    }
}
