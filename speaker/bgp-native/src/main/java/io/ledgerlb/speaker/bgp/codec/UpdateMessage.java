package io.ledgerlb.speaker.bgp.codec;

import io.ledgerlb.net.IpPrefix;
import java.util.List;
import java.util.Optional;

/**
 * UPDATE (RFC 4271 §4.3). IPv4 unicast uses the withdrawn-routes and NLRI fields; other families
 * travel in MP_REACH_NLRI / MP_UNREACH_NLRI attributes.
 *
 * @param errorHandling for a decoded message, the RFC 7606 outcome; {@code NONE} for messages to send
 */
public record UpdateMessage(List<IpPrefix> withdrawn, List<PathAttribute> attributes, List<IpPrefix> nlri,
                            ErrorHandling errorHandling) implements BgpMessage {

    public UpdateMessage {
        withdrawn = List.copyOf(withdrawn);
        attributes = List.copyOf(attributes);
        nlri = List.copyOf(nlri);
    }

    public UpdateMessage(List<IpPrefix> withdrawn, List<PathAttribute> attributes, List<IpPrefix> nlri) {
        this(withdrawn, attributes, nlri, ErrorHandling.NONE);
    }

    /** The End-of-RIB marker of a family (RFC 4724 §2). */
    public static UpdateMessage endOfRib(AddressFamily family) {
        return family.equals(AddressFamily.IPV4_UNICAST)
                ? new UpdateMessage(List.of(), List.of(), List.of())
                : new UpdateMessage(List.of(), List.of(new PathAttribute.MpUnreach(family, List.of())), List.of());
    }

    /** The family this message is End-of-RIB for, if it is one. */
    public Optional<AddressFamily> endOfRibFamily() {
        if (!withdrawn.isEmpty() || !nlri.isEmpty()) {
            return Optional.empty();
        }
        if (attributes.isEmpty()) {
            return Optional.of(AddressFamily.IPV4_UNICAST);
        }
        if (attributes.size() == 1 && attributes.get(0) instanceof PathAttribute.MpUnreach u && u.withdrawn().isEmpty()) {
            return Optional.of(u.family());
        }
        return Optional.empty();
    }

    public <T extends PathAttribute> Optional<T> attribute(Class<T> type) {
        return attributes.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    @Override
    public int type() {
        return UPDATE;
    }
}
