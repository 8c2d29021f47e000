/**
 * MetalLB's custom resources as typed fabric8 classes, field for field as MetalLB defines them, so
 * that existing MetalLB manifests apply unchanged. Specs and statuses are records; absent fields
 * stay {@code null} (MetalLB's defaults are applied by the config mapping, not here).
 * Where ledgerlb reports errors it adds standard {@code conditions} to a status.
 */
package io.ledgerlb.allocator.k8s.crd;
