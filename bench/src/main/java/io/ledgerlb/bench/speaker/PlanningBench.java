package io.ledgerlb.bench.speaker;

import com.google.protobuf.ByteString;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.IpAssigned;
import io.ledgerlb.events.v1.IpReleased;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.events.v1.PoolDefined;
import io.ledgerlb.events.v1.ServiceRef;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import io.ledgerlb.speaker.bgp.announce.BgpAnnouncer;
import io.ledgerlb.speaker.owner.ClusterView;
import io.ledgerlb.speaker.owner.L2Planner;
import io.ledgerlb.speaker.owner.NodeInfo;
import io.ledgerlb.speaker.plan.Planning;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The speaker's planning cost per ledger event with N Services (default 50,000, Cilium's LB-IPAM
 * scale test), before and after incremental planning, in one run:
 * <ul>
 *   <li>before: a full plan per event — {@code L2Planner.plan} and {@code BgpAnnouncer.plan} over
 *       the whole state, what the speaker ran on every event until now (a lower bound of it: the
 *       old speaker also rebuilt its owned-IP map and the status pass over every Service);</li>
 *   <li>after: {@link Planning#apply} of the entry and {@link Planning#plan} (Layer 2, BGP, the
 *       delta the status writers get).</li>
 * </ul>
 * Events alternate an assignment of a new Service and its release. Also: the planner's heap at N
 * (state copy and plans, after GC), the time to start planning from a caught-up state (copy and
 * first full plan), a slice of the rolling full re-plan, and this JVM's RSS.
 *
 * <p>Run (after {@code ./mvnw -B -q -Pbench package -pl bench -am -DskipTests}):
 * {@code java -Xmx512m -cp bench/target/benchmarks.jar io.ledgerlb.bench.speaker.PlanningBench [services] [events]}
 */
public final class PlanningBench {
    static final String NODE = "n1";

    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        long heapBefore = usedHeapAfterGc();

        Chain chain = new Chain();
        LedgerState state = new LedgerState();
        state.apply(chain.next(Event.newBuilder().setPoolDefined(PoolDefined.newBuilder().setName("p").addAddresses("10.99.0.0/16"))));
        state.apply(chain.next(Event.newBuilder().setL2AdvertisementDefined(L2AdvertisementDefined.newBuilder().setName("l2"))));
        state.apply(chain.next(Event.newBuilder().setBgpPeerDefined(BgpPeerDefined.newBuilder().setName("router")
                .setMyAsn(64512).setPeerAsn(64500).setPeerAddress("192.0.2.1"))));
        state.apply(chain.next(Event.newBuilder().setBgpAdvertisementDefined(BgpAdvertisementDefined.newBuilder().setName("bgp"))));
        Map<ServiceKey, Set<String>> serving = new HashMap<>();
        Map<String, NodeInfo> nodes = Map.of("n1", new NodeInfo("n1", Map.of(), false),
                "n2", new NodeInfo("n2", Map.of(), false), "n3", new NodeInfo("n3", Map.of(), false));
        for (int i = 0; i < services; i++) {
            state.apply(chain.next(assign("svc-" + i, ip(i))));
            serving.put(new ServiceKey("default", "svc-" + i), Set.of(List.of("n1", "n2", "n3").get(i % 3)));
        }
        long heapState = usedHeapAfterGc();

        long t0 = System.nanoTime();
        Planning planning = new Planning(NODE);
        planning.reset(state.copy());
        planning.nodes(nodes, true);
        planning.members(nodes.keySet());
        serving.forEach(planning::serving);
        planning.plan();
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        long heapPlanning = usedHeapAfterGc();
        ClusterView view = new ClusterView(nodes, nodes.keySet(), serving, true);

        // warm-up of both, not counted
        for (int i = 0; i < 3; i++) {
            full(state, view, serving);
        }
        List<LedgerEntry> warm = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            warm.add(i % 2 == 0 ? chain.next(assign("warm", ip(services + 1))) : chain.next(release("warm", ip(services + 1))));
        }
        warm.forEach(e -> {
            planning.apply(e);
            state.apply(e);
            planning.plan();
        });

        int fullRounds = Math.max(5, Math.min(events, 20));
        long[] before = new long[fullRounds];
        long[] after = new long[events];
        for (int i = 0; i < events; i++) {
            LedgerEntry e = i % 2 == 0 ? chain.next(assign("new-" + i, ip(services + 2))) : chain.next(release("new-" + (i - 1), ip(services + 2)));
            long s = System.nanoTime();
            planning.apply(e);
            planning.plan();
            after[i] = System.nanoTime() - s;
            state.apply(e);
            if (i < fullRounds) {
                s = System.nanoTime();
                full(state, view, serving);
                before[i] = System.nanoTime() - s;
            }
        }
        long s = System.nanoTime();
        List<String> differ = planning.disagreementsWithFullPlan();
        long checkMs = (System.nanoTime() - s) / 1_000_000;
        int slice = (services + 59) / 60; // the speaker's default: a round over every IP per minute, a slice a second
        long[] slices = new long[Math.max(1, Math.min(60, (2 * services) / slice))];
        int sliceDiffs = 0;
        for (int i = 0; i < slices.length; i++) {
            s = System.nanoTime();
            sliceDiffs += planning.recheck(slice).size();
            slices[i] = System.nanoTime() - s;
        }
        Arrays.sort(slices);

        Arrays.sort(before);
        Arrays.sort(after);
        double p50Before = before[before.length / 2] / 1e6;
        double p50After = after[after.length / 2] / 1e6;
        System.out.printf("services %,d; events %,d (full plan: %d of them)%n", services, events, fullRounds);
        System.out.printf("per event, full plan (before):   p50 %.3f ms, p99 %.3f ms%n", p50Before, p99(before) / 1e6);
        System.out.printf("per event, incremental (after):  p50 %.4f ms, p99 %.4f ms%n", p50After, p99(after) / 1e6);
        System.out.printf("ratio before/after (p50): %.0fx%n", p50Before / p50After);
        System.out.printf("IPs planned by the last incremental pass: %d%n", planning.lastPassIps());
        System.out.printf("whole plan from scratch compared (tests): %d ms, disagreements: %s%n", checkMs, differ);
        System.out.printf("rolling re-plan, a slice of %d IPs each second: p50 %.1f ms, max %.1f ms, disagreements: %d%n",
                slice, slices[slices.length / 2] / 1e6, slices[slices.length - 1] / 1e6, sliceDiffs);
        System.out.printf("start planning from a caught-up state (copy + first full plan): %d ms%n", startMs);
        System.out.printf("heap after GC: ledger state %.1f MB, planner (own state copy + plans) %.1f MB%n",
                (heapState - heapBefore) / 1e6, (heapPlanning - heapState) / 1e6);
        System.out.printf("this JVM's RSS: %s%n", rss());
    }

    static void full(LedgerState state, ClusterView view, Map<ServiceKey, Set<String>> serving) {
        L2Planner.plan(state, view);
        BgpAnnouncer.plan(state, new NodeInfo(NODE, Map.of(), false), serving);
    }

    static long p99(long[] sorted) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
    }

    static String ip(int i) {
        return "10.99." + (i / 250) + "." + (i % 250 + 1);
    }

    static Event.Builder assign(String service, String ip) {
        return Event.newBuilder().setIpAssigned(IpAssigned.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("default").setName(service).setUid("uid-" + service))
                .setIp(ip).setPool("p"));
    }

    static Event.Builder release(String service, String ip) {
        return Event.newBuilder().setIpReleased(IpReleased.newBuilder()
                .setService(ServiceRef.newBuilder().setNamespace("default").setName(service)).setIp(ip).setPool("p"));
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .findFirst().map(l -> l.replaceAll("\\s+", " ")).orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }

    /** Sealed, chained entries, as the follower hands them over. */
    static final class Chain {
        byte[] prev = HashChain.GENESIS;
        long sequence;

        LedgerEntry next(Event.Builder body) {
            LedgerEntry entry = LedgerEntry.seal(body.setSequence(++sequence).setPrevHash(ByteString.copyFrom(prev)).build());
            prev = entry.hash();
            return entry;
        }
    }
}
