package io.ledgerlb.allocator.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * @param addresses         CIDRs ({@code 192.168.10.0/24}) or ranges ({@code 192.168.9.1-192.168.9.5}), as written
 * @param autoAssign        whether Services may get addresses from this pool without asking; MetalLB's default: true
 * @param avoidBuggyIPs     skip the .0 and .255 addresses; default false
 * @param serviceAllocation which Services the pool serves first, and with what priority
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record IPAddressPoolSpec(@Required @PrinterColumn(name = "Addresses") List<String> addresses,
                                @Default("true") @PrinterColumn(name = "Auto Assign") Boolean autoAssign,
                                @Default("false") @PrinterColumn(name = "Avoid Buggy IPs") Boolean avoidBuggyIPs,
                                ServiceAllocation serviceAllocation) {
}
