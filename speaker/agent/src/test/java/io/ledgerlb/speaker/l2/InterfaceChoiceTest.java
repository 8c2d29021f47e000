package io.ledgerlb.speaker.l2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceChoiceTest {
    private static final List<String> DEFAULTS = InterfaceChoice.DEFAULT_EXCLUSIONS;

    @Test
    void upNodeInterfacesAreChosenAndWhatTheNodeMakesForContainersIsNot() {
        for (String name : List.of("eth0", "ens3", "enp0s31f6", "bond0", "eth0.100", "br-lan", "wlan0")) {
            assertThat(InterfaceChoice.chosen(name, true, false, DEFAULTS)).as(name).isTrue();
        }
        for (String name : List.of("docker0", "cbr0", "dummy0", "virbr0", "lxcbr0", "veth1a2b3c", "lo", "cali12ab",
                "tunl0", "flannel.1", "kube-ipvs0", "cni0", "nodelocaldns")) {
            assertThat(InterfaceChoice.chosen(name, true, false, DEFAULTS)).as(name).isFalse();
        }
    }

    @Test
    void downOrLoopbackInterfacesAreNeverChosen() {
        assertThat(InterfaceChoice.chosen("eth0", false, false, DEFAULTS)).isFalse();
        assertThat(InterfaceChoice.chosen("lo0", true, true, List.of())).isFalse();
    }

    @Test
    void namedExclusionsReplaceTheDefaults() {
        assertThat(InterfaceChoice.chosen("docker0", true, false, List.of("^eth1$"))).isTrue();
        assertThat(InterfaceChoice.chosen("eth1", true, false, List.of("^eth1$"))).isFalse();
        assertThat(InterfaceChoice.chosen("eth10", true, false, List.of("^eth1$"))).isTrue();
    }

    @Test
    void thisNamespacesInterfacesAreListedWithoutLoopback() throws Exception {
        assertThat(InterfaceChoice.eligible(DEFAULTS)).doesNotContain("lo").isSorted();
    }
}
