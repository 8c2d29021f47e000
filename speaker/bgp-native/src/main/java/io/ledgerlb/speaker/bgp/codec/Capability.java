package io.ledgerlb.speaker.bgp.codec;

import java.util.Arrays;
import java.util.List;

/** A capability advertised in OPEN (RFC 5492). */
public sealed interface Capability {
    int MULTIPROTOCOL = 1;
    int ROUTE_REFRESH = 2;
    int GRACEFUL_RESTART = 64;
    int FOUR_OCTET_AS = 65;

    int code();

    /** RFC 4760: the sender handles this AFI/SAFI. */
    record Multiprotocol(AddressFamily family) implements Capability {
        public int code() {
            return MULTIPROTOCOL;
        }
    }

    /** RFC 2918. */
    record RouteRefresh() implements Capability {
        public int code() {
            return ROUTE_REFRESH;
        }
    }

    /** RFC 6793: the sender's real AS. */
    record FourOctetAs(long asn) implements Capability {
        public int code() {
            return FOUR_OCTET_AS;
        }
    }

    /**
     * RFC 4724.
     *
     * @param restarted   the R bit: the sender has restarted
     * @param restartTime seconds the peer should keep the routes while the sender comes back (12 bits)
     * @param families    families whose forwarding state the sender preserves
     */
    record GracefulRestart(boolean restarted, int restartTime, List<GracefulFamily> families) implements Capability {
        public GracefulRestart {
            families = List.copyOf(families);
        }

        public int code() {
            return GRACEFUL_RESTART;
        }
    }

    /** A family in the graceful restart capability and its forwarding-state bit. */
    record GracefulFamily(AddressFamily family, boolean forwardingPreserved) { }

    /** Any other capability, kept as bytes. */
    record Unknown(int code, byte[] value) implements Capability {
        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.code == code && Arrays.equals(u.value, value);
        }

        @Override
        public int hashCode() {
            return code * 31 + Arrays.hashCode(value);
        }
    }
}
