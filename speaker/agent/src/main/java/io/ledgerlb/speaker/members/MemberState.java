package io.ledgerlb.speaker.members;

import java.net.InetSocketAddress;

/**
 * One speaker as a gossip message carries it: where it listens, which run of it this is
 * ({@code incarnation}, its start time: a restarted speaker supersedes its old self), how many
 * heartbeats it has sent in this run, and whether it is leaving.
 */
record MemberState(String name, InetSocketAddress address, long incarnation, long heartbeat, boolean leaving) {

    /** Newer than {@code other}: a later run, or the same run further on (a leave counts as a step). */
    boolean supersedes(MemberState other) {
        if (incarnation != other.incarnation) {
            return incarnation > other.incarnation;
        }
        return heartbeat > other.heartbeat || (leaving && !other.leaving);
    }
}
