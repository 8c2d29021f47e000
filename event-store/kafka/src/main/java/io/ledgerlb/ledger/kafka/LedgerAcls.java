package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.LedgerConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on a ledger's Kafka, the one list of it: the embedded broker grants exactly
 * these ACLs (and removes any other), and a test holds deploy/'s Kafka YAML (KafkaUsers, the
 * bundled broker's kafka-acls.sh lines, the Helm chart's users) to the same list.
 *
 * <ul>
 *   <li>the allocator ({@link #ALLOCATOR}) reads, writes and creates the two ledger topics, and
 *       writes under its transactional id ({@link LedgerConfig#TRANSACTIONAL_ID_PREFIX}...),
 *       idempotently, and may abort a transaction a killed writer left hanging (cluster action);</li>
 *   <li>readers ({@link #READER}: speakers and the CLI) may only describe and read the two topics.
 *       They use no consumer group (every ledger consumer assigns its partition and seeks), so no
 *       group is granted;</li>
 *   <li>nobody else may do either (the broker runs with {@code allow.everyone.if.no.acl.found=false}).</li>
 * </ul>
 */
public final class LedgerAcls {
    public static final String ALLOCATOR = "User:ledgerlb-allocator";
    public static final String READER = "User:ledgerlb-speaker";
    /** The cluster resource's one name in Kafka's ACLs. */
    private static final String CLUSTER = "kafka-cluster";

    private static final List<AclOperation> ALLOCATOR_ON_TOPICS = List.of(AclOperation.DESCRIBE, AclOperation.READ,
            AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
    private static final List<AclOperation> ALLOCATOR_ON_TRANSACTIONAL_ID = List.of(AclOperation.DESCRIBE, AclOperation.WRITE);
    // CLUSTER_ACTION: aborting a hanging transaction a killed writer left (KIP-664) writes transaction markers
    private static final List<AclOperation> ALLOCATOR_ON_CLUSTER = List.of(AclOperation.IDEMPOTENT_WRITE, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION);
    private static final List<AclOperation> READER_ON_TOPICS = List.of(AclOperation.DESCRIBE, AclOperation.READ);

    private LedgerAcls() {
    }

    /** The ACLs of deploy/: the default topic names. */
    public static List<AclBinding> deployed() {
        return of(LedgerConfig.DEFAULT_EVENTS_TOPIC, LedgerConfig.DEFAULT_SNAPSHOTS_TOPIC, LedgerConfig.TRANSACTIONAL_ID_PREFIX);
    }

    /** The ACLs for a ledger's topics and transactional id (granted by prefix when it has the default prefix). */
    public static List<AclBinding> of(LedgerConfig config) {
        String id = config.transactionalId();
        return of(config.eventsTopic(), config.snapshotsTopic(),
                id.startsWith(LedgerConfig.TRANSACTIONAL_ID_PREFIX) ? LedgerConfig.TRANSACTIONAL_ID_PREFIX : id);
    }

    private static List<AclBinding> of(String eventsTopic, String snapshotsTopic, String transactionalId) {
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of(eventsTopic, snapshotsTopic)) {
            ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
            allow(acls, ALLOCATOR, pattern, ALLOCATOR_ON_TOPICS);
            allow(acls, READER, pattern, READER_ON_TOPICS);
        }
        PatternType idPattern = transactionalId.equals(LedgerConfig.TRANSACTIONAL_ID_PREFIX) ? PatternType.PREFIXED : PatternType.LITERAL;
        allow(acls, ALLOCATOR, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, transactionalId, idPattern),
                ALLOCATOR_ON_TRANSACTIONAL_ID);
        allow(acls, ALLOCATOR, new ResourcePattern(ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL), ALLOCATOR_ON_CLUSTER);
        return List.copyOf(acls);
    }

    private static void allow(List<AclBinding> acls, String principal, ResourcePattern resource, List<AclOperation> operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
