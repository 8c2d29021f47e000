package io.ledgerlb.allocator.core;

import io.ledgerlb.events.v1.ServicePort;
import java.util.Comparator;

/** A Service port as sharing cares about it: protocol (TCP, UDP, SCTP) and number. */
public record Port(String protocol, int port) implements Comparable<Port> {
    private static final Comparator<Port> ORDER = Comparator.comparing(Port::protocol).thenComparingInt(Port::port);

    public Port {
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }

    public static Port tcp(int port) {
        return new Port("TCP", port);
    }

    public static Port udp(int port) {
        return new Port("UDP", port);
    }

    static Port of(ServicePort port) {
        return new Port(port.getProtocol(), port.getPort());
    }

    ServicePort toProto() {
        return ServicePort.newBuilder().setProtocol(protocol).setPort(port).build();
    }

    @Override
    public int compareTo(Port o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return port + "/" + protocol;
    }
}
