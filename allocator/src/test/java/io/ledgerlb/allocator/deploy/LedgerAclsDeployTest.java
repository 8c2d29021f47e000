package io.ledgerlb.allocator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ledgerlb.ledger.kafka.LedgerAcls;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * deploy/'s Kafka grants exactly {@link LedgerAcls#deployed()}, the list the embedded broker grants
 * too, so the two cannot drift: the Strimzi KafkaUsers (deploy/strimzi/users.yaml), the bundled
 * broker's kafka-acls.sh lines (deploy/kafka.yaml's ConfigMap) and the Helm chart's KafkaUsers
 * (kafka.mode=strimzi).
 */
class LedgerAclsDeployTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theStrimziUsersGrantTheLedgersAcls() throws IOException {
        assertThat(strimziUsers(Files.readString(Manifests.REPO.resolve("deploy/strimzi/users.yaml"))))
                .containsExactlyInAnyOrderElementsOf(LedgerAcls.deployed());
    }

    @Test
    void theHelmChartsStrimziUsersGrantTheLedgersAcls() throws IOException {
        String rendered = KustomizeAndHelmTest.helm(Map.of("kafka.mode", "strimzi", "kafka.strimzi.createCluster", "true")).objects()
                .stream().filter(o -> o.getKind().equals("KafkaUser")).map(new io.fabric8.kubernetes.client.utils.KubernetesSerialization()::asYaml)
                .reduce("", (a, b) -> a + b + "\n---\n");
        assertThat(strimziUsers(rendered)).containsExactlyInAnyOrderElementsOf(LedgerAcls.deployed());
    }

    /** deploy/kafka.yaml's broker applies kafka-acls.sh arguments from its ConfigMap's "acls". */
    @Test
    void theBundledKafkaGrantsTheLedgersAcls() throws IOException {
        List<String> acls = new ArrayList<>();
        documents(Files.readString(Manifests.REPO.resolve("deploy/kafka.yaml")), object -> {
            if (object.at("/kind").asText().equals("ConfigMap")) {
                acls.add(object.at("/data/acls").asText());
            }
        });
        assertThat(acls).hasSize(1).allMatch(a -> !a.isBlank());
        List<AclBinding> bundled = new ArrayList<>();
        for (String line : acls.get(0).strip().split("\n")) {
            List<String> words = List.of(line.strip().split("\\s+"));
            String principal = words.get(0);
            List<ResourcePattern> resources = new ArrayList<>();
            List<AclOperation> operations = new ArrayList<>();
            PatternType pattern = words.contains("prefixed") ? PatternType.PREFIXED : PatternType.LITERAL;
            for (int i = 1; i < words.size(); i++) {
                switch (words.get(i)) {
                    case "--topic" -> resources.add(new ResourcePattern(ResourceType.TOPIC, words.get(++i), pattern));
                    case "--transactional-id" -> resources.add(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, words.get(++i), pattern));
                    case "--cluster" -> resources.add(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL));
                    case "--operation" -> operations.add(AclOperation.fromString(snake(words.get(++i))));
                    case "--resource-pattern-type" -> i++;
                    default -> throw new AssertionError("unknown kafka-acls.sh argument in deploy/kafka.yaml: " + words.get(i));
                }
            }
            for (ResourcePattern resource : resources) {
                for (AclOperation operation : operations) {
                    bundled.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
                }
            }
        }
        assertThat(bundled).containsExactlyInAnyOrderElementsOf(LedgerAcls.deployed());
    }

    /** The ACLs of the KafkaUsers in {@code yaml}, for the principals User:NAME. */
    private static List<AclBinding> strimziUsers(String yaml) throws IOException {
        List<AclBinding> bindings = new ArrayList<>();
        documents(yaml, user -> {
            String principal = "User:" + user.at("/metadata/name").asText();
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                JsonNode resource = acl.get("resource");
                ResourceType type = ResourceType.fromString(snake(resource.get("type").asText()));
                String name = type == ResourceType.CLUSTER ? "kafka-cluster" : resource.get("name").asText();
                // Strimzi says "prefix" where Kafka says PREFIXED
                PatternType pattern = type == ResourceType.CLUSTER ? PatternType.LITERAL
                        : PatternType.fromString(resource.get("patternType").asText().replace("prefix", "prefixed").toUpperCase(Locale.ROOT));
                for (JsonNode operation : acl.get("operations")) {
                    bindings.add(new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*",
                            AclOperation.fromString(snake(operation.asText())), AclPermissionType.ALLOW)));
                }
            }
        });
        assertThat(bindings).isNotEmpty().noneMatch(b -> b.pattern().resourceType() == ResourceType.UNKNOWN
                || b.pattern().patternType() == PatternType.UNKNOWN || b.entry().operation() == AclOperation.UNKNOWN);
        return bindings;
    }

    private static void documents(String yaml, Consumer<JsonNode> each) throws IOException {
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    each.accept(document);
                }
            }
        }
    }

    /** Strimzi spells ACL names in camel case (transactionalId, IdempotentWrite); Kafka's enums in upper snake case. */
    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
