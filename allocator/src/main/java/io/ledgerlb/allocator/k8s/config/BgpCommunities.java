package io.ledgerlb.allocator.k8s.config;

import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.CommunitySpec.CommunityAlias;
import io.ledgerlb.net.LargeCommunity;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * BGP community values as MetalLB writes them: standard {@code 65000:100} (RFC 1997, two 16-bit
 * halves) and large {@code large:65000:1:2} (RFC 8092, three 32-bit parts), and the aliases that
 * Community objects give them.
 */
final class BgpCommunities {
    static final String LARGE_PREFIX = "large:";

    /** A parsed value: {@code large} tells which list of the event it belongs to; the text has no prefix. */
    record Value(boolean large, String text) {
    }

    private final Map<String, String> aliases;
    private final Set<String> ambiguous;

    private BgpCommunities(Map<String, String> aliases, Set<String> ambiguous) {
        this.aliases = aliases;
        this.ambiguous = ambiguous;
    }

    /** The aliases of all Community objects; an alias defined twice is ambiguous. */
    static BgpCommunities of(Collection<Community> communities) {
        Map<String, String> aliases = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (Community community : communities) {
            if (community.getSpec() == null || community.getSpec().communities() == null) {
                continue;
            }
            for (CommunityAlias alias : community.getSpec().communities()) {
                if (alias.name() != null && aliases.putIfAbsent(alias.name(), alias.value()) != null) {
                    ambiguous.add(alias.name());
                }
            }
        }
        return new BgpCommunities(aliases, ambiguous);
    }

    /** The aliases the ledger holds (every CommunityDefined); an alias defined twice is ambiguous. */
    static BgpCommunities ofDefined(Collection<io.ledgerlb.events.v1.CommunityDefined> communities) {
        Map<String, String> aliases = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (io.ledgerlb.events.v1.CommunityDefined community : communities) {
            for (io.ledgerlb.events.v1.CommunityAlias alias : community.getAliasesList()) {
                if (aliases.putIfAbsent(alias.getName(), alias.getValue()) != null) {
                    ambiguous.add(alias.getName());
                }
            }
        }
        return new BgpCommunities(aliases, ambiguous);
    }

    /** The value written, or the one its alias stands for. */
    Value resolve(String valueOrAlias) {
        Optional<Value> value = parse(valueOrAlias);
        if (value.isPresent()) {
            return value.get();
        }
        if (ambiguous.contains(valueOrAlias)) {
            throw new IllegalArgumentException("alias \"" + valueOrAlias + "\" is defined by more than one Community");
        }
        String aliased = aliases.get(valueOrAlias);
        if (aliased == null) {
            throw new IllegalArgumentException("\"" + valueOrAlias
                    + "\" is neither a community (65000:100, large:65000:1:2) nor an alias defined by a Community");
        }
        return parse(aliased).orElseThrow(() -> new IllegalArgumentException(
                "alias \"" + valueOrAlias + "\" stands for \"" + aliased + "\", which is not a community value"));
    }

    static Optional<Value> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(text.startsWith(LARGE_PREFIX)
                    ? new Value(true, LargeCommunity.parse(text.substring(LARGE_PREFIX.length())).toString())
                    : new Value(false, io.ledgerlb.net.Community.parse(text).toString()));
        } catch (IllegalArgumentException notACommunity) {
            return Optional.empty();
        }
    }
}
