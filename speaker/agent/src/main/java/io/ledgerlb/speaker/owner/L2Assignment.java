package io.ledgerlb.speaker.owner;

import io.ledgerlb.ledger.state.ServiceKey;
import java.util.List;
import java.util.Set;

/**
 * One IP announced in Layer 2: the node that announces it, the interfaces it announces on
 * (empty: every interface the speaker was given), and the Services holding the IP.
 */
public record L2Assignment(String ip, String node, Set<String> interfaces, List<ServiceKey> services) {
    public L2Assignment {
        interfaces = Set.copyOf(interfaces);
        services = List.copyOf(services);
    }
}
