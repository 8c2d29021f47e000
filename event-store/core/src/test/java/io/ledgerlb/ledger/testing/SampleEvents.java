package io.ledgerlb.ledger.testing;

import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ReleaseReason;
import io.ledgerlb.events.v1.ServiceRef;
import java.util.ArrayList;
import java.util.List;

/** Event bodies for tests: pools, assignments and releases in the documentation ranges. */
public final class SampleEvents {
    private SampleEvents() {}

    public static ServiceRef service(String name) {
        return ServiceRef.newBuilder().setNamespace("default").setName(name).setUid("uid-" + name).build();
    }

    public static Event pool(String name, String cidr) {
        return Event.newBuilder()
                .setCause(Cause.newBuilder().setKind("IPAddressPool").setName(name).setReason("PoolCreated"))
                .setPoolDefined(PoolDefined.newBuilder().setName(name).addAddresses(cidr).setAutoAssign(true))
                .build();
    }

    public static Event assign(String service, String ip) {
        return Event.newBuilder()
                .setCause(Cause.newBuilder().setKind("Service").setNamespace("default").setName(service).setReason("ServiceCreated"))
                .setIpAssigned(IpAssigned.newBuilder().setService(service(service)).setIp(ip).setPool("p"))
                .build();
    }

    public static Event release(String service, String ip) {
        return Event.newBuilder()
                .setCause(Cause.newBuilder().setKind("Service").setNamespace("default").setName(service).setReason("ServiceDeleted"))
                .setIpReleased(IpReleased.newBuilder().setService(service(service)).setIp(ip).setPool("p")
                        .setReason(ReleaseReason.SERVICE_DELETED))
                .build();
    }

    /** {@code count} assignments of 10.99.x.y to services s{first}..; one pool first when first is 0. */
    public static List<Event> assignments(int first, int count) {
        List<Event> events = new ArrayList<>(count + 1);
        if (first == 0) {
            events.add(pool("p", "10.99.0.0/16"));
        }
        for (int i = first; i < first + count; i++) {
            events.add(assign("s" + i, "10.99." + ((i / 250) % 256) + "." + (i % 250 + 1)));
        }
        return events;
    }
}
