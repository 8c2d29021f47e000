package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.Path;
import io.ledgerlb.net.IpPrefix;

/**
 * A local path as gobgpd lists it.
 *
 * @param prefix  its NLRI
 * @param decoded the same path in the bridge's terms, or null when it carries something the bridge
 *                never sets (so it can never equal a desired path, and gets replaced or deleted)
 * @param api     the path exactly as listed: a DeletePath with it removes this prefix and nothing else
 */
public record ObservedPath(IpPrefix prefix, DesiredPath decoded, Path api) {
}
