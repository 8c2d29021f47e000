package io.ledgerlb.allocator.controller;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ledgerlb.allocator.core.Allocator;
import io.ledgerlb.allocator.core.Outcome;
import io.ledgerlb.allocator.core.PoolUsage;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.allocator.k8s.adapter.ServiceRequests;
import io.ledgerlb.allocator.k8s.config.BgpPeerIgnoredFields;
import io.ledgerlb.allocator.k8s.config.ConfigMapper;
import io.ledgerlb.allocator.k8s.config.InvalidConfigException;
import io.ledgerlb.allocator.k8s.crd.BFDProfile;
import io.ledgerlb.allocator.k8s.crd.BGPAdvertisement;
import io.ledgerlb.allocator.k8s.crd.BGPPeer;
import io.ledgerlb.allocator.k8s.crd.Community;
import io.ledgerlb.allocator.k8s.crd.IPAddressPool;
import io.ledgerlb.allocator.k8s.crd.L2Advertisement;
import io.ledgerlb.allocator.metrics.PoolCounts;
import io.ledgerlb.events.v1.BfdProfileDefined;
import io.ledgerlb.events.v1.BgpAdvertisementDefined;
import io.ledgerlb.events.v1.BgpPeerDefined;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.CommunityDefined;
import io.ledgerlb.events.v1.ConfigRemoved;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.L2AdvertisementDefined;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The controller's step, made of the pure parts: {@link ServiceRequests} and {@link ConfigMapper}
 * read the Kubernetes objects, the core {@link Allocator} decides about Services and pools, and
 * the other MetalLB resources are recorded as they are mapped (when they changed).
 */
public final class CoreAllocationStep implements AllocationStep {
    private final Allocator allocator;
    private final String actor;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final Function<MetalLbKinds, List<GenericKubernetesResource>> configs;

    /**
     * @param configs the MetalLB resources known now, by kind (BGPAdvertisements resolve Community aliases)
     */
    public CoreAllocationStep(String actor, String loadBalancerClass,
            Function<MetalLbKinds, List<GenericKubernetesResource>> configs) {
        this.allocator = new Allocator(actor, loadBalancerClass);
        this.actor = actor;
        this.configs = configs;
    }

    /** For tools that only count pools (no Kubernetes objects). */
    public static CoreAllocationStep forCounting() {
        return new CoreAllocationStep("ledgerlb", null, kind -> List.of());
    }

    @Override
    public Decision service(LedgerState state, Service service, Map<String, String> namespaceLabels, Cause cause,
            Instant now) {
        var decision = allocator.serviceChanged(state, ServiceRequests.of(service, namespaceLabels), cause, now);
        Outcome outcome = decision.outcome();
        List<String> warnings = outcome instanceof Outcome.Allocated a ? a.warnings()
                : outcome instanceof Outcome.Unchanged u ? u.warnings()
                : outcome instanceof Outcome.Refused r ? r.warnings()
                : List.of();
        return new Decision(decision.events(), Optional.empty(), warnings);
    }

    @Override
    public Decision serviceDeleted(LedgerState state, ServiceKey service, Cause cause, Instant now) {
        return Decision.of(allocator.serviceDeleted(state, service, cause, now).events());
    }

    @Override
    public Decision waitEnded(ServiceKey service, String reason, Cause cause, Instant now) {
        return Decision.of(allocator.waitEnded(service, reason, cause, now).events());
    }

    @Override
    public Decision restoreStarted(LedgerState state, Cause cause, Instant now) {
        return Decision.of(allocator.restoreStarted(state, cause, now).events());
    }

    @Override
    public Decision reservationReleased(LedgerState state, ServiceKey service, Cause cause, Instant now) {
        return Decision.of(allocator.reservationReleased(state, service, cause, now).events());
    }

    @Override
    public Decision restoreEnded(LedgerState state, Set<ServiceKey> present, Cause cause, Instant now) {
        return Decision.of(allocator.restoreEnded(state, present, cause, now).events());
    }

    @Override
    public Decision config(LedgerState state, MetalLbKinds kind, GenericKubernetesResource resource, Cause cause,
            Instant now) {
        Decision decision = mapConfig(state, kind, resource, cause, now);
        if (kind != MetalLbKinds.BGP_PEER) {
            return decision;
        }
        return new Decision(decision.events(), decision.invalid(), BgpPeerIgnoredFields.of(resource));
    }

    private Decision mapConfig(LedgerState state, MetalLbKinds kind, GenericKubernetesResource resource, Cause cause,
            Instant now) {
        try {
            return switch (kind) {
                case IP_ADDRESS_POOL -> {
                    var decision = allocator.poolDefined(state, ConfigMapper.pool(typed(resource, IPAddressPool.class)),
                            cause, now);
                    yield decision.outcome() instanceof Outcome.Refused refused
                            ? Decision.invalid(refused.reason() + ": " + refused.message())
                            : Decision.of(decision.events());
                }
                case L2_ADVERTISEMENT -> record(state.l2Advertisements(),
                        ConfigMapper.l2Advertisement(typed(resource, L2Advertisement.class)),
                        L2AdvertisementDefined::getName, (b, v) -> b.setL2AdvertisementDefined(v), cause, now);
                case BGP_ADVERTISEMENT -> record(state.bgpAdvertisements(),
                        ConfigMapper.bgpAdvertisementFromLedger(typed(resource, BGPAdvertisement.class),
                                state.communities().values()),
                        BgpAdvertisementDefined::getName, (b, v) -> b.setBgpAdvertisementDefined(v), cause, now);
                case BGP_PEER -> record(state.bgpPeers(), ConfigMapper.bgpPeer(typed(resource, BGPPeer.class)),
                        BgpPeerDefined::getName, (b, v) -> b.setBgpPeerDefined(v), cause, now);
                case COMMUNITY -> communityChanged(state, ConfigMapper.community(typed(resource, Community.class)), cause, now);
                case BFD_PROFILE -> record(state.bfdProfiles(), ConfigMapper.bfdProfile(typed(resource, BFDProfile.class)),
                        BfdProfileDefined::getName, (b, v) -> b.setBfdProfileDefined(v), cause, now);
            };
        } catch (InvalidConfigException e) {
            return Decision.invalid(e.getMessage());
        } catch (IllegalArgumentException e) {
            return Decision.invalid(kind.kind() + " " + resource.getMetadata().getName() + ": " + e.getMessage());
        }
    }

    @Override
    public Decision configDeleted(LedgerState state, MetalLbKinds kind, String name, Cause cause, Instant now) {
        if (kind == MetalLbKinds.IP_ADDRESS_POOL) {
            return Decision.of(allocator.poolRemoved(state, name, cause, now).events());
        }
        boolean known = switch (kind) {
            case L2_ADVERTISEMENT -> state.l2Advertisements().containsKey(name);
            case BGP_ADVERTISEMENT -> state.bgpAdvertisements().containsKey(name);
            case BGP_PEER -> state.bgpPeers().containsKey(name);
            case COMMUNITY -> state.communities().containsKey(name);
            case BFD_PROFILE -> state.bfdProfiles().containsKey(name);
            case IP_ADDRESS_POOL -> true;
        };
        if (!known) {
            return Decision.of(List.of());
        }
        Event removed = event(cause, now).setConfigRemoved(
                ConfigRemoved.newBuilder().setKind(kind.configKind()).setName(name)).build();
        if (kind == MetalLbKinds.COMMUNITY) {
            Map<String, CommunityDefined> after = new TreeMap<>(state.communities());
            after.remove(name);
            return Decision.of(withDerived(removed, state, after, cause, now));
        }
        return Decision.of(List.of(removed));
    }

    /**
     * A Community changed: its definition, then every BGPAdvertisement whose communities it resolves
     * differently, derived again in the same step from the Communities as the ledger will hold them.
     */
    private Decision communityChanged(LedgerState state, CommunityDefined community, Cause cause, Instant now) {
        if (community.equals(state.communities().get(community.getName()))) {
            return Decision.of(List.of());
        }
        Event defined = event(cause, now).setCommunityDefined(community).build();
        Map<String, CommunityDefined> after = new TreeMap<>(state.communities());
        after.put(community.getName(), community);
        return Decision.of(withDerived(defined, state, after, cause, now));
    }

    private List<Event> withDerived(Event change, LedgerState state, Map<String, CommunityDefined> communities,
            Cause cause, Instant now) {
        List<Event> events = new java.util.ArrayList<>();
        events.add(change);
        for (GenericKubernetesResource resource : configs.apply(MetalLbKinds.BGP_ADVERTISEMENT)) {
            BgpAdvertisementDefined derived;
            try {
                derived = ConfigMapper.bgpAdvertisementFromLedger(typed(resource, BGPAdvertisement.class), communities.values());
            } catch (InvalidConfigException | IllegalArgumentException e) {
                continue; // reported when the advertisement itself is reconciled
            }
            BgpAdvertisementDefined recorded = state.bgpAdvertisements().get(derived.getName());
            if (recorded != null && !recorded.equals(derived)) {
                events.add(event(cause.toBuilder().setReason("CommunityChanged").build(), now)
                        .setBgpAdvertisementDefined(derived).build());
            }
        }
        return events;
    }

    @Override
    public void applied(LedgerEntry entry, LedgerState state) {
        allocator.applied(entry, state);
    }

    @Override
    public PoolCounts count(LedgerState state, String pool) {
        PoolUsage usage = allocator.usage(state, pool);
        return new PoolCounts(pool, usage.assignedIpv4(), usage.assignedIpv6(), usage.availableIpv4(),
                usage.availableIpv6());
    }

    /** One event defining the resource, unless the ledger holds exactly this definition already. */
    private <M extends Message> Decision record(Map<String, M> current, M mapped, Function<M, String> name,
            java.util.function.BiConsumer<Event.Builder, M> body, Cause cause, Instant now) {
        if (mapped.equals(current.get(name.apply(mapped)))) {
            return Decision.of(List.of());
        }
        Event.Builder event = event(cause, now);
        body.accept(event, mapped);
        return Decision.of(List.of(event.build()));
    }

    private Event.Builder event(Cause cause, Instant now) {
        return Event.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setActor(actor)
                .setCause(cause);
    }

    private <T> T typed(GenericKubernetesResource resource, Class<T> type) {
        return serialization.convertValue(resource, type);
    }
}
