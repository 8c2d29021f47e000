package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.ChainVerifier.ChainBreak;
import io.ledgerlb.ledger.event.SignedChain.PassedOver;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The result of walking a chain (the Kafka topic or the SQLite journal).
 *
 * @param source             what was walked, e.g. "kafka:ledgerlb.events" or "journal:/data/ledger.db"
 * @param checked            entries on the verified chain
 * @param lastSequence       the verified chain's last sequence number
 * @param passedOver         every record that is not on it, in the order found, with why
 * @param unknownTypes       entries of event types this version does not know (verified, not folded)
 * @param signaturesChecked  false when no trusted keys were given: hashes and links only
 * @param lastSignedHead     the last signed head verified (0: none)
 */
public record ChainReport(String source, long checked, long lastSequence, List<PassedOver> passedOver,
                          long unknownTypes, boolean signaturesChecked, long lastSignedHead) {
    public ChainReport {
        passedOver = List.copyOf(passedOver);
    }

    public boolean intact() {
        return passedOver.isEmpty();
    }

    /** The first record passed over, if any. */
    public Optional<ChainBreak> firstBreak() {
        return passedOver.stream().findFirst().map(p -> new ChainBreak(p.sequence(),
                p.reason() + (p.position() >= 0 ? " (offset " + p.position() + ")" : "")));
    }

    @Override
    public String toString() {
        String trust = signaturesChecked ? ", signed up to sequence " + lastSignedHead
                : " (signatures NOT checked: no trusted keys)";
        String summary = source + ": " + checked + " entries verified, chain intact up to sequence " + lastSequence + trust;
        if (passedOver.isEmpty()) {
            return summary;
        }
        return summary + "; " + passedOver.size() + " record(s) passed over, never applied:\n"
                + passedOver.stream().map(p -> "  PASSED OVER " + p).collect(Collectors.joining("\n"));
    }
}
