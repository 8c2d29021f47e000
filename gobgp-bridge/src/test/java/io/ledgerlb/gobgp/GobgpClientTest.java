package io.ledgerlb.gobgp;

import io.ledgerlb.gobgp.api.Path;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GobgpClientTest {

    @Test
    void refusesTheUnscopedDeletePathThatWouldRemoveEveryLocalPath() {
        try (GobgpClient client = new GobgpClient("127.0.0.1:1", Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> client.deletePath(Path.getDefaultInstance()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unscoped");
            Path familyOnly = Path.newBuilder().setFamily(RouteFamily.IPV4_UNICAST.api()).build();
            assertThatThrownBy(() -> client.deletePath(familyOnly)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.withdrawPaths(java.util.List.of(familyOnly))).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
