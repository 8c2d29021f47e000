package io.ledgerlb.speaker.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ledgerlb.speaker.members.DroppedDatagram.Reason;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GossipSealTest {
    static final byte[] OLD = GossipKeys.sha256("old".getBytes(StandardCharsets.UTF_8));
    static final byte[] NEW = GossipKeys.sha256("new".getBytes(StandardCharsets.UTF_8));
    static final byte[] MESSAGE = GossipCodec.encode(List.of(new MemberState("n1",
            new InetSocketAddress("10.99.0.1", 7946), 5, 6, false)));

    static GossipKeys keys(byte[]... keys) {
        return new GossipKeys(List.of(keys));
    }

    static DroppedDatagram.Reason dropReason(GossipSeal.Opener opener, byte[] data) {
        try {
            opener.open(data, data.length);
            return null;
        } catch (DroppedDatagram e) {
            return e.reason();
        }
    }

    @Test
    void opensWhatItSealedAndBindsTheHeader() throws Exception {
        GossipSeal.Sealer sealer = new GossipSeal.Sealer(keys(OLD), "n1", 5);
        byte[] sealed = sealer.seal(MESSAGE, 1000);
        GossipSeal.Opened opened = new GossipSeal.Opener(keys(OLD)).open(sealed, sealed.length);
        assertThat(opened.message()).isEqualTo(MESSAGE);
        assertThat(opened.header().sender()).isEqualTo("n1");
        assertThat(opened.header().counter()).isEqualTo(1);
        assertThat(opened.header().sentAtMillis()).isEqualTo(1000);
        assertThat(sealer.seal(MESSAGE, 1000)).as("a fresh nonce each time").isNotEqualTo(sealed);

        GossipSeal.Opener opener = new GossipSeal.Opener(keys(OLD));
        for (int i = 0; i < sealed.length; i++) { // every header byte, and the ciphertext and tag
            byte[] tampered = sealed.clone();
            tampered[i] ^= 1;
            assertThat(dropReason(opener, tampered)).as("byte %d changed", i).isEqualTo(Reason.UNAUTHENTICATED);
        }
        assertThat(dropReason(opener, MESSAGE)).as("the unsealed message").isEqualTo(Reason.UNAUTHENTICATED);
        assertThat(dropReason(opener, new byte[] {0x4C, 0x4C, 0x42, 0x73, 2})).isEqualTo(Reason.UNAUTHENTICATED);
        assertThat(dropReason(new GossipSeal.Opener(keys(NEW)), sealed)).as("another key").isEqualTo(Reason.UNAUTHENTICATED);
    }

    @Test
    void whileRotatingTheFirstKeyEncryptsAndBothDecrypt() throws Exception {
        byte[] fromRolledOut = new GossipSeal.Sealer(keys(NEW, OLD), "n1", 5).seal(MESSAGE, 1000);
        byte[] fromNotYet = new GossipSeal.Sealer(keys(OLD, NEW), "n2", 5).seal(MESSAGE, 1000);
        for (GossipKeys holder : List.of(keys(NEW, OLD), keys(OLD, NEW))) {
            GossipSeal.Opener opener = new GossipSeal.Opener(holder);
            assertThat(opener.open(fromRolledOut, fromRolledOut.length).message()).isEqualTo(MESSAGE);
            assertThat(opener.open(fromNotYet, fromNotYet.length).message()).isEqualTo(MESSAGE);
        }
        assertThat(dropReason(new GossipSeal.Opener(keys(OLD)), fromRolledOut)).isEqualTo(Reason.UNAUTHENTICATED);
    }

    @Test
    void keyFilesSayWhatIsWrongWithThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secretkey");
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> GossipKeys.read(file)).hasMessageContaining("at least 32 characters");
        Files.writeString(file, "# nothing\n\n");
        assertThatThrownBy(() -> GossipKeys.read(file)).hasMessageContaining("holds no key");
        Files.writeString(file, "a".repeat(32) + "\n" + "b".repeat(32) + "\n" + "c".repeat(32) + "\n");
        assertThatThrownBy(() -> GossipKeys.read(file)).hasMessageContaining("two while rotating");
        Files.writeString(file, "a".repeat(32) + "\n" + "b".repeat(40));
        assertThat(GossipKeys.read(file).keys()).hasSize(2);
    }
}
