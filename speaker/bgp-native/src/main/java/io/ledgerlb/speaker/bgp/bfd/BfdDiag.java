package io.ledgerlb.speaker.bgp.bfd;

/** Diagnostic codes (RFC 5880 §4.1): why the sender's session last went down. */
public final class BfdDiag {
    public static final int NONE = 0;
    public static final int DETECTION_TIME_EXPIRED = 1;
    public static final int ECHO_FAILED = 2;
    public static final int NEIGHBOR_SIGNALED_DOWN = 3;
    public static final int FORWARDING_PLANE_RESET = 4;
    public static final int PATH_DOWN = 5;
    public static final int CONCATENATED_PATH_DOWN = 6;
    public static final int ADMIN_DOWN = 7;
    public static final int REVERSE_CONCATENATED_PATH_DOWN = 8;

    private static final String[] NAMES = {"none", "control detection time expired", "echo function failed",
        "neighbor signaled session down", "forwarding plane reset", "path down", "concatenated path down",
        "administratively down", "reverse concatenated path down"};

    private BfdDiag() {
    }

    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "reserved (" + code + ")";
    }
}
