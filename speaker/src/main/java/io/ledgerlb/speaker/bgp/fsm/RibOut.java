package io.ledgerlb.speaker.bgp.fsm;

import io.ledgerlb.speaker.bgp.Advertisement;
import io.ledgerlb.speaker.bgp.IpPrefix;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
     * The UPDATEs that turn what was sent into {@code desired}; records them as sent. One hash
     * lookup per prefix on each side: this runs over every prefix at every change.
     */
    public List<UpdateMessage> update(Map<IpPrefix, Advertisement> desired, Context context) {
        boolean ipv4Possible = context.canAnnounce(false);
        boolean ipv6Possible = context.canAnnounce(true);
        List<IpPrefix> withdraw = new ArrayList<>();
        for (Iterator<IpPrefix> it = sent.keySet().iterator(); it.hasNext(); ) {
            IpPrefix p = it.next();
            if (!(p.ipv6() ? ipv6Possible : ipv4Possible) || !desired.containsKey(p)) {
                withdraw.add(p);
                it.remove();
            }
        }
        List<Advertisement> announce = new ArrayList<>();
        for (Advertisement a : desired.values()) {
            if (a.prefix().ipv6() ? ipv6Possible : ipv4Possible) {
                Advertisement before = sent.put(a.prefix(), a);
                if (before == null || !before.equals(a)) {
                    announce.add(a);
                }
            }
        }
        List<UpdateMessage> updates = new ArrayList<>(withdrawals(withdraw));
        updates.addAll(announcements(announce, context));
        return updates;
    }

    /** Everything sent so far in one family again (RFC 2918 route refresh). */
    public List<UpdateMessage> resend(AddressFamily family, Context context) {
        return announcements(sent.values().stream()
                .filter(a -> AddressFamily.of(a.prefix().ipv6()).equals(family)).toList(), context);
    }

    // ---- packing

    private record AttributeKey(boolean ipv6, Long localPref, List<Long> communities,
                                List<io.ledgerlb.speaker.bgp.LargeCommunity> largeCommunities) {
    }

    static List<UpdateMessage> announcements(List<Advertisement> announce, Context context) {
        Map<AttributeKey, List<IpPrefix>> groups = new LinkedHashMap<>();
        Advertisement previous = null;
        List<IpPrefix> group = null;
        for (Advertisement a : announce) {
            // neighbours mostly share their attributes: look the group up only when they change
            if (previous == null || !sameAttributes(a, previous)) {
                AttributeKey key = new AttributeKey(a.prefix().ipv6(), context.ibgp() ? a.localPref() : null,
                        a.communities(), a.largeCommunities());
                group = groups.computeIfAbsent(key, k -> new ArrayList<>());
            }
            group.add(a.prefix());
            previous = a;
        }
        List<UpdateMessage> updates = new ArrayList<>();
        groups.forEach((key, prefixes) -> {
            List<PathAttribute> common = commonAttributes(key, context);
            InetAddress v6NextHop = context.nextHops().ipv6().orElse(null);
            PathAttribute.MpReach emptyReach = new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST,
                    v6NextHop == null ? List.of() : List.of(v6NextHop), List.of());
            int fixed = BgpCodec.encode(new UpdateMessage(List.of(), key.ipv6() ? with(common, emptyReach) : common,
                    List.of()), context.fourOctetAs()).length + (key.ipv6() ? 1 : 0); // +1: MP_REACH grows an extended length
            for (List<IpPrefix> chunk : chunks(prefixes, BgpCodec.MAX_MESSAGE_LENGTH - fixed)) {
                updates.add(key.ipv6()
                        ? new UpdateMessage(List.of(), with(common, new PathAttribute.MpReach(
                                AddressFamily.IPV6_UNICAST, emptyReach.nextHops(), chunk)), List.of())
                        : new UpdateMessage(List.of(), common, chunk));
            }
        });
        return updates;
    }

    private static boolean sameAttributes(Advertisement a, Advertisement b) {
        return a.prefix().ipv6() == b.prefix().ipv6() && Objects.equals(a.localPref(), b.localPref())
                && a.communities().equals(b.communities()) && a.largeCommunities().equals(b.largeCommunities());
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

    static List<UpdateMessage> withdrawals(List<IpPrefix> withdraw) {
        List<UpdateMessage> updates = new ArrayList<>();
        List<IpPrefix> v4 = withdraw.stream().filter(p -> !p.ipv6()).toList();
        List<IpPrefix> v6 = withdraw.stream().filter(IpPrefix::ipv6).toList();
        for (List<IpPrefix> chunk : chunks(v4, BgpCodec.MAX_MESSAGE_LENGTH - 23)) {
            updates.add(new UpdateMessage(chunk, List.of(), List.of()));
        }
        for (List<IpPrefix> chunk : chunks(v6, BgpCodec.MAX_MESSAGE_LENGTH - 23 - 7)) {
            updates.add(new UpdateMessage(List.of(),
                    List.of(new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, chunk)), List.of()));
        }
        return updates;
    }

    /** Splits prefixes into runs (views of the list) whose encoded size fits in {@code room} bytes. */
    private static List<List<IpPrefix>> chunks(List<IpPrefix> prefixes, int room) {
        List<List<IpPrefix>> chunks = new ArrayList<>();
        int start = 0;
        int used = 0;
        for (int i = 0; i < prefixes.size(); i++) {
            int size = 1 + (prefixes.get(i).length() + 7) / 8;
            if (used + size > room) {
                chunks.add(prefixes.subList(start, i));
                start = i;
                used = 0;
            }
            used += size;
        }
        if (start < prefixes.size()) {
            chunks.add(prefixes.subList(start, prefixes.size()));
        }
        return chunks;
    }
}
