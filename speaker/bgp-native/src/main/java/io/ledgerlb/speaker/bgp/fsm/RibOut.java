package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.net.Community;
import io.ledgerlb.net.IpAddress;
import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.net.LargeCommunity;
import io.ledgerlb.speaker.bgp.NextHops;
import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one established session has announced (Adj-RIB-Out), and the UPDATEs that bring the peer
 * from that to a desired set: prefixes with identical attributes packed together, up to the
 * 4096-byte message limit. Pure; the FSM sends what it returns.
 */
public final class RibOut {

    /** What the UPDATEs depend on, fixed once the session is established. */
    public record Context(long localAs, boolean ibgp, boolean fourOctetAs, Set<AddressFamily> families,
                          NextHops nextHops) {
        boolean canAnnounce(boolean ipv6) {
            return families.contains(AddressFamily.of(ipv6)) && (ipv6 ? nextHops.ipv6().isPresent() : nextHops.ipv4().isPresent());
        }
    }

    private final Map<IpPrefix, Advertisement> sent = new HashMap<>();

    public int size() {
        return sent.size();
    }

    /** Forgets what was sent: the session went down, so the next one starts from nothing. */
    public void clear() {
        sent.clear();
    }

    /**
     * The UPDATEs that turn what was sent into {@code desired}; records them as sent.
     *
     * <p>This runs over every prefix at every change, so each prefix costs one hash lookup and
     * goes straight into packing. The per-prefix work sits in lambdas rather than in for-loops:
     * the JIT compiles a method after a few hundred calls, but a loop in a method called once per
     * change runs interpreted through the first changes (about 2× slower here for 10,000 prefixes).
     */
    public List<UpdateMessage> update(Map<IpPrefix, Advertisement> desired, Context context) {
        boolean ipv4Possible = context.canAnnounce(false);
        boolean ipv6Possible = context.canAnnounce(true);
        Withdrawals withdrawals = new Withdrawals();
        sent.keySet().removeIf(p -> {
            boolean keep = (p.ipv6() ? ipv6Possible : ipv4Possible) && desired.containsKey(p);
            if (!keep) {
                withdrawals.add(p);
            }
            return !keep;
        });
        Announcements announcements = new Announcements(context);
        desired.values().forEach(a -> {
            if (a.prefix().ipv6() ? ipv6Possible : ipv4Possible) {
                Advertisement before = sent.put(a.prefix(), a);
                if (before == null || !before.equals(a)) {
                    announcements.add(a);
                }
            }
        });
        List<UpdateMessage> updates = withdrawals.messages();
        updates.addAll(announcements.messages());
        return updates;
    }

    /** The UPDATEs for these prefixes only (each to its advertisement, or withdrawn); records them as sent. */
    public List<UpdateMessage> change(Map<IpPrefix, Optional<Advertisement>> changes, Context context) {
        Withdrawals withdrawals = new Withdrawals();
        Announcements announcements = new Announcements(context);
        changes.forEach((prefix, a) -> {
            if (a.isPresent() && context.canAnnounce(prefix.ipv6())) {
                Advertisement before = sent.put(prefix, a.get());
                if (before == null || !before.equals(a.get())) {
                    announcements.add(a.get());
                }
            } else if (sent.remove(prefix) != null) {
                withdrawals.add(prefix);
            }
        });
        List<UpdateMessage> updates = withdrawals.messages();
        updates.addAll(announcements.messages());
        return updates;
    }

    /** The prefixes whose sent advertisement is not the desired one (withdrawals included). */
    public List<IpPrefix> differing(Map<IpPrefix, Advertisement> desired) {
        List<IpPrefix> differing = new ArrayList<>();
        sent.keySet().forEach(p -> {
            if (!desired.containsKey(p)) {
                differing.add(p);
            }
        });
        desired.forEach((p, a) -> {
            if (!a.equals(sent.get(p))) {
                differing.add(p);
            }
        });
        return differing;
    }

    /**
     * Forgets having sent the prefixes of one family that are as desired, and returns them: a
     * {@link #change} then announces them again (RFC 2918 route refresh). Prefixes that differ
     * are kept, so their withdrawal is not lost.
     */
    public List<IpPrefix> forget(AddressFamily family, Map<IpPrefix, Advertisement> desired) {
        List<IpPrefix> forgotten = new ArrayList<>();
        sent.entrySet().removeIf(e -> {
            boolean forget = AddressFamily.of(e.getKey().ipv6()).equals(family) && e.getValue().equals(desired.get(e.getKey()));
            if (forget) {
                forgotten.add(e.getKey());
            }
            return forget;
        });
        return forgotten;
    }

    // ---- packing

    /** Prefixes split, as they come, into runs whose encoded size fits in {@code room} bytes: one run per UPDATE. */
    private static final class Runs {
        private final int room;
        private final List<List<IpPrefix>> runs = new ArrayList<>();
        private List<IpPrefix> open;
        private int used;

        Runs(int room) {
            this.room = room;
        }

        void add(IpPrefix prefix) {
            int size = 1 + (prefix.length() + 7) / 8;
            if (open == null || used + size > room) {
                open = new ArrayList<>();
                runs.add(open);
                used = 0;
            }
            open.add(prefix);
            used += size;
        }
    }

    /** Withdrawn prefixes: IPv4 in the withdrawn-routes field, IPv6 in MP_UNREACH_NLRI. */
    private static final class Withdrawals {
        private final Runs ipv4 = new Runs(BgpCodec.MAX_MESSAGE_LENGTH - 23);
        private final Runs ipv6 = new Runs(BgpCodec.MAX_MESSAGE_LENGTH - 23 - 7);

        void add(IpPrefix prefix) {
            (prefix.ipv6() ? ipv6 : ipv4).add(prefix);
        }

        List<UpdateMessage> messages() {
            List<UpdateMessage> updates = new ArrayList<>();
            ipv4.runs.forEach(run -> updates.add(new UpdateMessage(run, List.of(), List.of())));
            ipv6.runs.forEach(run -> updates.add(new UpdateMessage(List.of(),
                    List.of(new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, run)), List.of())));
            return updates;
        }
    }

    private record AttributeKey(boolean ipv6, Long localPref, List<Community> communities,
                                List<LargeCommunity> largeCommunities) {
    }

    /** Announced prefixes grouped by identical attributes (groups in order of first appearance), each group in full UPDATEs. */
    private static final class Announcements {
        private final Context context;
        private final Map<AttributeKey, Runs> groups = new LinkedHashMap<>();
        private Advertisement previous;
        private Runs group;

        Announcements(Context context) {
            this.context = context;
        }

        void add(Advertisement a) {
            // neighbours mostly share their attributes: look the group up only when they change
            if (previous == null || !sameAttributes(a, previous)) {
                AttributeKey key = new AttributeKey(a.prefix().ipv6(), context.ibgp() ? a.ibgpLocalPref() : null,
                        a.communities(), a.largeCommunities());
                group = groups.computeIfAbsent(key, k -> new Runs(room(k, context)));
            }
            group.add(a.prefix());
            previous = a;
        }

        List<UpdateMessage> messages() {
            List<UpdateMessage> updates = new ArrayList<>();
            groups.forEach((key, runs) -> {
                List<PathAttribute> common = commonAttributes(key, context);
                runs.runs.forEach(run -> updates.add(update(key, common, run, context)));
            });
            return updates;
        }
    }

    private static boolean sameAttributes(Advertisement a, Advertisement b) {
        return a.prefix().ipv6() == b.prefix().ipv6() && Objects.equals(a.localPref(), b.localPref())
                && a.communities().equals(b.communities()) && a.largeCommunities().equals(b.largeCommunities());
    }

    private static UpdateMessage update(AttributeKey key, List<PathAttribute> common, List<IpPrefix> nlri, Context context) {
        if (!key.ipv6()) {
            return new UpdateMessage(List.of(), common, nlri);
        }
        List<IpAddress> nextHops = context.nextHops().ipv6().map(List::of).orElse(List.of());
        return new UpdateMessage(List.of(), with(common, new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST, nextHops, nlri)), List.of());
    }

    /** The bytes an UPDATE with these attributes has left for prefixes. */
    private static int room(AttributeKey key, Context context) {
        int empty = BgpCodec.encode(update(key, commonAttributes(key, context), List.of(), context), context.fourOctetAs()).length;
        return BgpCodec.MAX_MESSAGE_LENGTH - empty - (key.ipv6() ? 1 : 0); // -1: MP_REACH grows an extended length
    }

    private static List<PathAttribute> commonAttributes(AttributeKey key, Context context) {
        List<PathAttribute> attributes = new ArrayList<>();
        attributes.add(PathAttribute.Origin.IGP);
        if (context.ibgp()) {
            attributes.add(PathAttribute.AsPath.empty());
        } else {
            attributes.add(PathAttribute.AsPath.sequence(context.localAs()));
            if (!context.fourOctetAs() && context.localAs() > 0xFFFF) {
                // RFC 6793 §4.2.2: AS_PATH carries AS_TRANS, AS4_PATH the real AS
                attributes.add(new PathAttribute.AsPath(PathAttribute.AsPath.sequence(context.localAs()).segments(), true));
            }
        }
        if (!key.ipv6()) {
            attributes.add(new PathAttribute.NextHop(context.nextHops().ipv4().orElseThrow()));
        }
        if (key.localPref() != null) {
            attributes.add(new PathAttribute.LocalPref(key.localPref()));
        }
        if (!key.communities().isEmpty()) {
            attributes.add(new PathAttribute.Communities(key.communities()));
        }
        if (!key.largeCommunities().isEmpty()) {
            attributes.add(new PathAttribute.LargeCommunities(key.largeCommunities()));
        }
        return attributes;
    }

    private static List<PathAttribute> with(List<PathAttribute> attributes, PathAttribute extra) {
        List<PathAttribute> all = new ArrayList<>(attributes);
        all.add(extra);
        all.sort(Comparator.comparingInt(PathAttribute::typeCode));
        return all;
    }
}
