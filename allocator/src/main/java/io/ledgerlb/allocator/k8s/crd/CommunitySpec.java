package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommunitySpec(List<CommunityAlias> communities) {

    /** @param value {@code 65000:100} or {@code large:65000:1:2} */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommunityAlias(String name, String value) {
    }
}
