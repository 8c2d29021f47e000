package io.ledgerlb.allocator.k8s.crd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The OpenAPI {@code enum} of a string field in the generated CRD, where MetalLB's Go types give
 * one. The field stays a {@code String} in Java so that a bad value that reaches ledgerlb anyway
 * (an API server without the schema) is reported on the object rather than failing to parse.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface SchemaEnum {
    String[] value();
}
