package io.ledgerlb.speaker.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ledgerlb.events.v1.SecretRef;
import io.ledgerlb.speaker.bgp.announce.PeerConfigException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The BGP password Secrets, read from an informer's cache (one per namespace, started the first
 * time a peer names a Secret there) rather than a GET per plan. A Secret created, changed or
 * deleted later runs {@code changed}, so the sessions are brought in line again.
 */
public final class SecretCache implements AutoCloseable {
    /** How long the first read of a namespace waits for the informer's list; it runs on the BGP thread. */
    static final long SYNC_WAIT_SECONDS = 10;

    private final Optional<KubernetesClient> client;
    private final Runnable changed;
    private record Watched(SharedIndexInformer<Secret> informer, CompletableFuture<Void> listed) {}

    private final Map<String, Watched> byNamespace = new ConcurrentHashMap<>();

    public SecretCache(Optional<KubernetesClient> client, Runnable changed) {
        this.client = client;
        this.changed = changed;
    }

    /** The Secret named, or null when it does not exist; a Secret that cannot be read is a problem of this node. */
    public Secret get(SecretRef ref) {
        String name = ref.getNamespace() + "/" + ref.getName();
        if (client.isEmpty()) {
            throw PeerConfigException.thisNode("PasswordSecretUnreadable", "the speaker runs without Kubernetes"
                    + " and cannot read the password Secret " + name);
        }
        Watched watched = byNamespace.computeIfAbsent(ref.getNamespace(), this::start);
        SharedIndexInformer<Secret> informer = watched.informer();
        if (!informer.hasSynced()) {
            try {
                watched.listed().get(SYNC_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unreadable(name, "interrupted");
            } catch (ExecutionException e) {
                byNamespace.remove(ref.getNamespace(), watched);
                informer.close();
                throw unreadable(name, e.getCause() == null ? e.toString() : e.getCause().getMessage());
            } catch (TimeoutException e) {
                throw unreadable(name, "the API server has not listed the namespace's Secrets within " + SYNC_WAIT_SECONDS + " s");
            }
        }
        return informer.getStore().getByKey(name);
    }

    private static PeerConfigException unreadable(String name, String why) {
        return PeerConfigException.thisNode("PasswordSecretUnreadable", "cannot read the password Secret " + name + ": " + why);
    }

    private Watched start(String namespace) {
        SharedIndexInformer<Secret> informer = client.orElseThrow().secrets().inNamespace(namespace).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret obj) {
                changed.run();
            }

            @Override
            public void onUpdate(Secret oldObj, Secret newObj) {
                changed.run();
            }

            @Override
            public void onDelete(Secret obj, boolean deletedFinalStateUnknown) {
                changed.run();
            }
        });
        return new Watched(informer, informer.start().toCompletableFuture());
    }

    @Override
    public void close() {
        byNamespace.values().forEach(w -> w.informer().close());
        byNamespace.clear();
    }
}
