/**
 * Import of MetalLB's pre-0.13 ConfigMap ({@code address-pools}, {@code peers},
 * {@code bgp-communities}) into the CRDs that replaced it.
 */
package io.ledgerlb.allocator.legacy;
