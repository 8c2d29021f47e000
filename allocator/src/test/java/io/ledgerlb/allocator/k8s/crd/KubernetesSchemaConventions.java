package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.SecretReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsOrArray;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Version;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the CRD generator cannot say from the Java types and Kubernetes' own types do say in their
 * OpenAPI (as controller-gen writes them into MetalLB's CRDs): label selectors and Secret
 * references are atomic, a label selector requirement needs key and operator, a
 * {@code metav1.Condition} has its required fields, lengths and patterns; the
 * {@link SchemaFormat} of integer fields and the {@link SchemaEnum} of string fields.
 */
final class KubernetesSchemaConventions implements CRDPostProcessor {
    private static final String CONDITION_TYPE_PATTERN =
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
    private static final String CONDITION_REASON_PATTERN = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

    private final List<Class<? extends HasMetadata>> types;

    KubernetesSchemaConventions(List<Class<? extends HasMetadata>> types) {
        this.types = types;
    }

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        CustomResourceDefinition definition = (CustomResourceDefinition) crd;
        for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
            type(definition.getSpec().getNames().getKind(), version.getName()).ifPresent(type -> {
                Map<String, JSONSchemaProps> root = version.getSchema().getOpenAPIV3Schema().getProperties();
                Type[] specAndStatus = ((ParameterizedType) type.getGenericSuperclass()).getActualTypeArguments();
                if (specAndStatus[0] == Void.class) {
                    root.remove("spec"); // a status-only kind (ConfigurationState)
                }
                walk(root.get("spec"), specAndStatus[0]);
                walk(root.get("status"), specAndStatus[1]);
            });
        }
        return crd;
    }

    private Optional<Class<? extends HasMetadata>> type(String kind, String version) {
        return types.stream().filter(t -> CustomResource.class.isAssignableFrom(t))
                .filter(t -> HasMetadata.getKind(t).equals(kind) && t.getAnnotation(Version.class).value().equals(version))
                .findFirst();
    }

    private static void walk(JSONSchemaProps schema, Type type) {
        if (schema == null || type == null) {
            return;
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            Type element = parameterized.getActualTypeArguments()[0];
            if (element == Condition.class) {
                schema.setXKubernetesListType("map");
                schema.setXKubernetesListMapKeys(List.of("type"));
            }
            walk(items(schema), element);
        } else if (type == LabelSelector.class) {
            labelSelector(schema);
        } else if (type == SecretReference.class) {
            schema.setXKubernetesMapType("atomic");
        } else if (type == Condition.class) {
            condition(schema);
        } else if (type instanceof Class<?> record && record.isRecord()) {
            for (RecordComponent component : record.getRecordComponents()) {
                JSONSchemaProps property = schema.getProperties() == null ? null
                        : schema.getProperties().get(jsonName(component));
                if (property == null) {
                    continue;
                }
                SchemaFormat format = component.getAnnotation(SchemaFormat.class);
                if (format != null) {
                    property.setFormat(format.value());
                }
                if (property.getXKubernetesValidations() != null) {
                    // a record component's rule reaches the generator twice: on the field and on the accessor
                    property.setXKubernetesValidations(property.getXKubernetesValidations().stream().distinct().toList());
                }
                SchemaEnum values = component.getAnnotation(SchemaEnum.class);
                if (values != null) {
                    property.setEnum(Stream.of(values.value()).<JsonNode>map(TextNode::new).toList());
                }
                walk(property, component.getGenericType());
            }
        }
    }

    private static String jsonName(RecordComponent component) {
        var property = component.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return property != null ? property.value() : component.getName();
    }

    private static JSONSchemaProps items(JSONSchemaProps array) {
        JSONSchemaPropsOrArray items = array.getItems();
        return items == null ? null : items.getSchema();
    }

    private static void labelSelector(JSONSchemaProps selector) {
        selector.setXKubernetesMapType("atomic");
        JSONSchemaProps expressions = selector.getProperties().get("matchExpressions");
        expressions.setXKubernetesListType("atomic");
        JSONSchemaProps requirement = items(expressions);
        requirement.setRequired(List.of("key", "operator"));
        requirement.getProperties().get("values").setXKubernetesListType("atomic");
    }

    private static void condition(JSONSchemaProps condition) {
        condition.setRequired(List.of("lastTransitionTime", "message", "reason", "status", "type"));
        Map<String, JSONSchemaProps> fields = condition.getProperties();
        fields.get("lastTransitionTime").setFormat("date-time");
        fields.get("message").setMaxLength(32768L);
        fields.get("observedGeneration").setFormat("int64");
        fields.get("observedGeneration").setMinimum(0.0);
        fields.get("reason").setMaxLength(1024L);
        fields.get("reason").setMinLength(1L);
        fields.get("reason").setPattern(CONDITION_REASON_PATTERN);
        fields.get("status").setEnum(List.of(new TextNode("True"), new TextNode("False"), new TextNode("Unknown")));
        fields.get("type").setMaxLength(316L);
        fields.get("type").setPattern(CONDITION_TYPE_PATTERN);
    }
}
