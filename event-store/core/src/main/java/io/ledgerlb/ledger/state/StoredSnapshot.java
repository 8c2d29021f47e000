package io.ledgerlb.ledger.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ledgerlb.events.v1.StateSnapshot;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerFormatException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A snapshot as stored in SQLite or on the snapshot topic: the serialized {@link StateSnapshot},
 * the sequence it covers, the Kafka offset of that sequence's record, and a SHA-256 of the bytes.
 */
public record StoredSnapshot(String location, long sequence, long kafkaOffset, byte[] state, byte[] sha256) {

    /** Takes a snapshot of {@code state}, whose last entry sits at {@code kafkaOffset}. */
    public static StoredSnapshot of(LedgerState state, long kafkaOffset, String location) {
        byte[] bytes = state.toSnapshot().toByteArray();
        return new StoredSnapshot(location, state.sequence(), kafkaOffset, bytes, HashChain.sha256(bytes));
    }

    /** Checks the checksum and the format, then folds the snapshot into a state. */
    public LedgerState restore() throws LedgerFormatException {
        if (!Arrays.equals(HashChain.sha256(state), sha256)) {
            throw new LedgerFormatException(sequence, "snapshot in " + location + " is corrupt: checksum mismatch");
        }
        StateSnapshot snapshot;
        try {
            snapshot = StateSnapshot.parseFrom(state);
        } catch (InvalidProtocolBufferException e) {
            throw new LedgerFormatException(sequence, "snapshot in " + location + " does not parse: " + e.getMessage(), e);
        }
        if (snapshot.getSequence() != sequence) {
            throw new LedgerFormatException(sequence, "snapshot in " + location + " holds sequence " + snapshot.getSequence());
        }
        return LedgerState.fromSnapshot(snapshot);
    }

    /** The stored snapshot's description, with {@code problem} empty when it is usable. */
    public SnapshotInfo info(String problem) {
        return new SnapshotInfo(location, sequence, kafkaOffset, HexFormat.of().formatHex(sha256), state.length, problem);
    }

    @Override
    public String toString() {
        return "StoredSnapshot[" + location + " sequence " + sequence + ", " + state.length + " bytes]";
    }
}
