/**
 * An embedded local Kubernetes API for machines without a cluster: fabric8's mock server in CRUD
 * mode, plus the few answers real {@code kubectl} needs from an API server (discovery, OpenAPI,
 * Tables, strategic merge patch, JSON content types). Nothing here is on the production path: the
 * allocator talks to this server through an ordinary kubeconfig, exactly as to a real one.
 *
 * <p>Known gaps: {@code kubectl get -w} (watch is not streamed to kubectl; fabric8 clients watch
 * over WebSocket and do work), server-side dry run and server-side apply (refused with a clear
 * error), admission and schema validation (none: objects are stored as sent).
 */
package io.ledgerlb.allocator.k8s.local;
