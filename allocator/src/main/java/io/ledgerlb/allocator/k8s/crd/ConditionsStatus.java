package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The status of the MetalLB resources that have none of their own: the conditions ledgerlb sets
 * when it cannot use the object (type {@code Valid}, reason and message from the config mapping).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ConditionsStatus(List<Condition> conditions) {
}
