/**
 * Pure mapping of MetalLB's custom resources to the ledger's config events. No I/O: the
 * controller reads the objects, calls {@link io.ledgerlb.allocator.k8s.config.ConfigMapper} and
 * turns an {@link io.ledgerlb.allocator.k8s.config.InvalidConfigException} into a status
 * condition. Address syntax is checked by the allocation core; this layer carries the strings.
 *
 * <p>Secrets never enter the ledger: a BGPPeer with a plain-text {@code spec.password} is refused
 * (the message says to move it into a Secret referenced by {@code spec.passwordSecret}); a
 * {@code passwordSecret} becomes a {@code SecretRef} the speaker resolves itself.
 */
package io.ledgerlb.allocator.k8s.config;
