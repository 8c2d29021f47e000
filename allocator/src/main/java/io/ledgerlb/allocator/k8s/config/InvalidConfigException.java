package io.ledgerlb.allocator.k8s.config;

import java.util.List;

/**
 * A MetalLB object ledgerlb cannot use, with every problem found in it. The message is meant for a
 * status condition or an event: {@code "BGPPeer metallb-system/p1: spec.peerASN: required; ..."}.
 */
public final class InvalidConfigException extends RuntimeException {
    /** The reason of the {@code Valid=False} condition the controller sets. */
    public static final String REASON = "InvalidConfiguration";

    private final String object;
    private final List<String> problems;

    public InvalidConfigException(String object, List<String> problems) {
        super(object + ": " + String.join("; ", problems));
        this.object = object;
        this.problems = List.copyOf(problems);
    }

    /** Kind, namespace and name, e.g. {@code IPAddressPool metallb-system/blue}. */
    public String object() {
        return object;
    }

    /** Each problem as {@code field: what is wrong}. */
    public List<String> problems() {
        return problems;
    }
}
