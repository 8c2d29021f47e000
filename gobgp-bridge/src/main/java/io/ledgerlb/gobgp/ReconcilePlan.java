package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.Path;
import io.ledgerlb.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The difference between what the bridge wants and what gobgpd holds: the only calls a
 * reconciliation makes. Pure: computed from two snapshots, no I/O.
 *
 * @param peersToDelete neighbors gobgpd has and should not (or has with another configuration)
 * @param peersToAdd    neighbors to add (new ones, and changed ones after their deletion)
 * @param pathsToDelete local paths to remove, each exactly as gobgpd listed it (never "all paths")
 * @param pathsToAdd    paths missing or different in gobgpd (adding a prefix replaces its old path)
 */
public record ReconcilePlan(List<InetAddress> peersToDelete, List<DesiredPeer> peersToAdd,
                            List<Path> pathsToDelete, List<DesiredPath> pathsToAdd) {

    public ReconcilePlan {
        peersToDelete = List.copyOf(peersToDelete);
        peersToAdd = List.copyOf(peersToAdd);
        pathsToDelete = List.copyOf(pathsToDelete);
        pathsToAdd = List.copyOf(pathsToAdd);
    }

    public boolean empty() {
        return peersToDelete.isEmpty() && peersToAdd.isEmpty() && pathsToDelete.isEmpty() && pathsToAdd.isEmpty();
    }

    /**
     * @param desiredPeers the neighbors wanted, by address
     * @param appliedPeers what the bridge last added to this gobgpd, by address (gobgpd fills in
     *                     defaults when it lists a peer, so a configuration change is seen here)
     * @param actualPeers  the neighbors gobgpd lists
     * @param desiredPaths the paths wanted, by prefix
     * @param actualPaths  the local paths gobgpd lists
     */
    public static ReconcilePlan between(Map<InetAddress, DesiredPeer> desiredPeers, Map<InetAddress, DesiredPeer> appliedPeers,
                                        Collection<ObservedPeer> actualPeers, Map<IpPrefix, DesiredPath> desiredPaths,
                                        Collection<ObservedPath> actualPaths) {
        List<InetAddress> peersToDelete = new ArrayList<>();
        List<DesiredPeer> peersToAdd = new ArrayList<>();
        Set<InetAddress> present = new HashSet<>();
        for (ObservedPeer actual : actualPeers) {
            DesiredPeer wanted = desiredPeers.get(actual.address());
            DesiredPeer applied = appliedPeers.get(actual.address());
            if (wanted == null) {
                peersToDelete.add(actual.address());
            } else if (!sameConfiguration(wanted, actual) || (applied != null && !applied.equals(wanted))) {
                peersToDelete.add(actual.address());
                peersToAdd.add(wanted);
            }
            present.add(actual.address());
        }
        desiredPeers.values().stream().filter(p -> !present.contains(p.address())).forEach(peersToAdd::add);

        List<Path> pathsToDelete = new ArrayList<>();
        List<DesiredPath> pathsToAdd = new ArrayList<>();
        Set<IpPrefix> held = new HashSet<>();
        for (ObservedPath actual : actualPaths) {
            DesiredPath wanted = desiredPaths.get(actual.prefix());
            if (wanted == null) {
                pathsToDelete.add(actual.api());
            } else if (!wanted.equals(actual.decoded())) {
                pathsToAdd.add(wanted);
            }
            held.add(actual.prefix());
        }
        desiredPaths.values().stream().filter(p -> !held.contains(p.prefix())).forEach(pathsToAdd::add);
        return new ReconcilePlan(peersToDelete, peersToAdd, pathsToDelete, pathsToAdd);
    }

    /** What gobgpd lists back unchanged: enough to adopt a neighbor that a previous bridge added. */
    private static boolean sameConfiguration(DesiredPeer wanted, ObservedPeer actual) {
        return wanted.peerAsn() == actual.peerAsn() && Objects.equals(wanted.password().orElse(""), actual.password());
    }

    @Override
    public String toString() {
        return "peers -" + peersToDelete.size() + " +" + peersToAdd.size() + ", paths -" + pathsToDelete.size() + " +" + pathsToAdd.size();
    }
}
