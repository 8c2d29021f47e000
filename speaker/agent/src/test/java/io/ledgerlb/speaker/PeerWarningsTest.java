package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which problems become Warning Events: each cause once per node, again only after it changed. */
class PeerWarningsTest {
    final PeerWarnings warnings = new PeerWarnings("n1");

    @Test
    void aConfigProblemIsReportedOnceAndAgainOnlyAfterItWasResolvedOrChanged() {
        assertThat(warnings.configProblem("edge", "PasswordSecretNotFound", "no Secret")).hasValueSatisfying(w -> {
            assertThat(w.peer()).isEqualTo("edge");
            assertThat(w.reason()).isEqualTo("PasswordSecretNotFound");
            assertThat(w.message()).isEqualTo("node n1: no Secret");
        });
        assertThat(warnings.configProblem("edge", "PasswordSecretNotFound", "no Secret")).isEmpty();
        assertThat(warnings.configProblem("edge", "PasswordSecretWrongType", "Opaque")).isPresent();
        assertThat(warnings.configProblem("edge", "PasswordSecretWrongType", "Opaque")).isEmpty();
        warnings.configResolved("edge");
        assertThat(warnings.configProblem("edge", "PasswordSecretWrongType", "Opaque")).isPresent();
        warnings.retain(Set.of());
        assertThat(warnings.configProblem("edge", "PasswordSecretWrongType", "Opaque")).isPresent();
    }

    @Test
    void aSessionThatNeverComesUpIsReportedAtTheThirdFailureInARowAndOncePerCause() {
        int session = warnings.sessionOpened("edge");
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).isEmpty();
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).isEmpty();
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).hasValueSatisfying(w -> {
            assertThat(w.reason()).isEqualTo("BGPSessionNotEstablished");
            assertThat(w.message()).isEqualTo("node n1: the BGP session does not come up: refused");
        });
        for (int i = 0; i < 10; i++) {
            assertThat(warnings.sessionFailed("edge", session, false, "refused")).isEmpty();
        }
        assertThat(warnings.sessionFailed("edge", session, false, "NOTIFICATION 2/2")).isPresent();
    }

    @Test
    void anEstablishedSessionThatGoesDownIsReportedAtOnce() {
        int session = warnings.sessionOpened("edge");
        warnings.sessionFailed("edge", session, false, "refused");
        warnings.established("edge", session);
        assertThat(warnings.sessionFailed("edge", session, true, "peer sent NOTIFICATION 6/2")).hasValueSatisfying(w -> {
            assertThat(w.reason()).isEqualTo("BGPSessionDown");
            assertThat(w.message()).isEqualTo("node n1: the established BGP session went down: peer sent NOTIFICATION 6/2");
        });
        // back up, and the failures before the next establishment count from zero again
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).isEmpty();
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).isEmpty();
        assertThat(warnings.sessionFailed("edge", session, false, "refused")).isPresent();
    }

    @Test
    void aReplacedOrClosedSessionIsNotHeardAndANewOneStartsAfresh() {
        int old = warnings.sessionOpened("edge");
        warnings.sessionFailed("edge", old, true, "hold timer expired");
        int now = warnings.sessionOpened("edge");
        assertThat(warnings.sessionFailed("edge", old, true, "connection closed")).isEmpty();
        assertThat(warnings.sessionFailed("edge", now, true, "hold timer expired")).isPresent();
        warnings.sessionClosed("edge");
        assertThat(warnings.sessionFailed("edge", now, true, "connection closed")).isEmpty();
    }
}
