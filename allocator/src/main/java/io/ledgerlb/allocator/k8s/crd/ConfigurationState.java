package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * {@code metallb.io/v1beta1 ConfigurationState}: a status-only object in which a component reports
 * whether the configuration it last read is valid. MetalLB's controller writes one named
 * {@value #CONTROLLER}, labelled {@value #COMPONENT_LABEL}={@code controller}, in its namespace.
 */
@AdditionalPrinterColumn(name = "Result", jsonPath = ".status.result", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ErrorSummary", jsonPath = ".status.errorSummary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@Group(MetalLb.GROUP)
@Version(MetalLb.V1BETA1)
@Kind("ConfigurationState")
@Plural("configurationstates")
@Singular("configurationstate")
public class ConfigurationState extends CustomResource<Void, ConfigurationState.Status>
        implements Namespaced {
    public static final String CONTROLLER = "controller";
    public static final String COMPONENT_LABEL = "metallb.io/component-type";

    /** Valid, Invalid, or Unknown (nothing reported yet). */
    public enum Result { Valid, Invalid, Unknown }

    /**
     * @param errorSummary the messages of the failed conditions, one a line; empty when Valid
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Status(List<Condition> conditions, String errorSummary, Result result) {
    }
}
