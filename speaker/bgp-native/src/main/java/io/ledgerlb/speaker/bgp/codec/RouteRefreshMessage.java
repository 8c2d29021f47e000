package io.ledgerlb.speaker.bgp.codec;

/** ROUTE-REFRESH (RFC 2918): the peer asks for everything of one family again. */
public record RouteRefreshMessage(AddressFamily family) implements BgpMessage {
    @Override
    public int type() {
        return ROUTE_REFRESH;
    }
}
