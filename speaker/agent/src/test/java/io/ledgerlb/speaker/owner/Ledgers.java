package io.ledgerlb.speaker.owner;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.LabelSelector;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds ledger states the way the ledger does: sealed, chained events folded one by one. */
public final class Ledgers {
    private Ledgers() {}

    public static LedgerState fold(List<Event.Builder> bodies) {
        LedgerState state = new LedgerState();
        byte[] prev = HashChain.GENESIS;
        long sequence = 0;
        for (Event.Builder body : bodies) {
            LedgerEntry entry = LedgerEntry.seal(body.clone().setSequence(++sequence)
                    .setPrevHash(ByteString.copyFrom(prev)).build());
            state.apply(entry);
            prev = entry.hash();
        }
        return state;
    }

    /** Appends these events as one transaction, stamped with the time now and actor "test". */
    public static void append(LedgerWriter writer, Event.Builder... bodies) throws Exception {
        Timestamp now = Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()).build();
        List<Event> events = new ArrayList<>();
        for (Event.Builder body : bodies) {
            events.add(body.clone().setActor("test").setTime(now).build());
        }
        writer.append(events);
    }

    public static Event.Builder pool(String name, String cidr, Map<String, String> labels) {
        return Event.newBuilder().setPoolDefined(PoolDefined.newBuilder()
                .setName(name).addAddresses(cidr).setAutoAssign(true).putAllLabels(labels));
    }

    public static Event.Builder l2(String name, List<String> pools, List<String> interfaces, Map<String, String> nodeLabels) {
        L2AdvertisementDefined.Builder advert = L2AdvertisementDefined.newBuilder()
                .setName(name).addAllIpAddressPools(pools).addAllInterfaces(interfaces);
        if (!nodeLabels.isEmpty()) {
            advert.addNodeSelectors(LabelSelector.newBuilder().putAllMatchLabels(nodeLabels));
        }
        return Event.newBuilder().setL2AdvertisementDefined(advert);
    }

    public static Event.Builder assign(String service, String ip, String pool, boolean local) {
        return Event.newBuilder().setIpAssigned(IpAssigned.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("default").setName(service).setUid("uid-" + service))
                .setIp(ip).setPool(pool).setTrafficPolicyLocal(local));
    }
}
