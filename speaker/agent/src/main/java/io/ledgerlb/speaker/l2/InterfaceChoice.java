package io.ledgerlb.speaker.l2;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which interfaces Layer 2 answers on when none is named: every one that is up and not excluded,
 * as MetalLB does. The default exclusions are MetalLB's (container, bridge and tunnel devices a
 * node makes for itself, and loopback); naming exclusions replaces them.
 */
public final class InterfaceChoice {
    /** MetalLB's default {@code announcedInterfacesToExclude}. */
    public static final List<String> DEFAULT_EXCLUSIONS = List.of("^docker.*", "^cbr.*", "^dummy.*", "^virbr.*",
            "^lxcbr.*", "^veth.*", "^lo$", "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*", "^nodelocaldns.*");

    private InterfaceChoice() {}

    /** An up interface named {@code name} is chosen unless one of {@code exclusions} (regular expressions) finds it. */
    public static boolean chosen(String name, boolean up, boolean loopback, List<String> exclusions) {
        return up && !loopback && exclusions.stream().noneMatch(e -> Pattern.compile(e).matcher(name).find());
    }

    /** The interfaces of this network namespace that are chosen, sorted by name. */
    public static List<String> eligible(List<String> exclusions) throws SocketException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return chosen(i.getName(), i.isUp(), i.isLoopback(), exclusions);
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .map(NetworkInterface::getName).sorted().toList();
    }
}
