package io.ledgerlb.allocator.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD YAML in {@code deploy/crds} is what fabric8's crd-generator makes of the Java types. After
 * changing a type, regenerate with
 * {@code ./mvnw -pl allocator -am test -Dtest=CrdYamlTest -Dledgerlb.writeCrds=true}.
 */
class CrdYamlTest {
    static final Path DEPLOYED = Path.of("..", "deploy", "crds");
    static final List<Class<? extends io.fabric8.kubernetes.api.model.HasMetadata>> TYPES = List.of(
            IPAddressPool.class, L2Advertisement.class, BGPAdvertisement.class, Community.class,
            BFDProfile.class, BGPPeer.class, BGPPeerV1beta1.class, ConfigurationState.class);

    @Test
    void deployedCrdsAreTheGeneratedOnes(@TempDir Path generated) throws IOException {
        new CRDGenerator().customResourceClasses(TYPES).forCRDVersions("v1").inOutputDir(generated.toFile())
                .withPostProcessor(new KubernetesSchemaConventions(TYPES))
                .withParallelGenerationEnabled(false).generate();
        List<Path> files;
        try (Stream<Path> list = Files.list(generated)) {
            files = list.sorted().toList();
        }
        assertThat(files).hasSize(TYPES.size() - 1); // the two BGPPeer versions share one CRD

        for (Path file : files) {
            String name = file.getFileName().toString().replace("-v1.yml", ".yaml");
            Path deployed = DEPLOYED.resolve(name);
            if (Boolean.getBoolean("ledgerlb.writeCrds")) {
                Files.createDirectories(DEPLOYED);
                Files.copy(file, deployed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            assertThat(deployed).as("%s is stale or missing: regenerate it (see CrdYamlTest)", deployed)
                    .exists().hasSameTextualContentAs(file);
        }
    }
}
