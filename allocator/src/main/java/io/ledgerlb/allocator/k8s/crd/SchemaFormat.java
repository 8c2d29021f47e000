package io.ledgerlb.allocator.k8s.crd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The OpenAPI {@code format} of a field in the generated CRD ({@code int32}, {@code int64}), where
 * MetalLB's Go types give one: the CRD generator leaves integers without a format.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface SchemaFormat {
    String value();
}
