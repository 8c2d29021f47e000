package io.ledgerlb.ledger.event;

/**
 * The checks of a ledger record that need nothing but its own bytes ({@link SealedRecord#check}): whether its hash is the
 * SHA-256 of its prev_hash and event bytes, and, for a signed head whose hash holds, whether a
 * trusted key signed it. Neither needs the event decoded nor any other record, so a reader makes
 * them on another thread than the one that decodes, links and folds (the links are the only part
 * that must go in order). They give what {@link LedgerEntry#hashValid} and
 * {@link SignedChain.SignatureCheck#of} give on the decoded entry ({@code RecordCheckTest}).
 *
 * @param signature the signed head's check, null when the record is unsigned, its hash fails, or keys are unchecked
 */
public record RecordCheck(boolean hashValid, SignedChain.SignatureCheck signature) {
    /** The checks of an unsigned record (or with unchecked keys), one object each: the reader reads them from its own cache. */
    static final RecordCheck HASH_VALID = new RecordCheck(true, null);
    static final RecordCheck HASH_INVALID = new RecordCheck(false, null);
}
