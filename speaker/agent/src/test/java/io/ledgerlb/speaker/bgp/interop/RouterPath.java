package io.ledgerlb.speaker.bgp.interop;

import java.net.InetAddress;
import java.util.List;

/**
 * One path a router holds for a prefix, in one notation for every router.
 *
 * @param from             the neighbor it came from
 * @param nextHop          its (global) next hop
 * @param origin           "IGP", "EGP" or "incomplete"
 * @param asPath           the AS numbers, space-separated ("" for none)
 * @param localPref        LOCAL_PREF as received; null: none
 * @param communities      "AS:value" each
 * @param largeCommunities "a:b:c" each
 */
record RouterPath(InetAddress from, InetAddress nextHop, String origin, String asPath, Long localPref,
                  List<String> communities, List<String> largeCommunities) {
}
