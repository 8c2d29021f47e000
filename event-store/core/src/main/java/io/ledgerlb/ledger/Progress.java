package io.ledgerlb.ledger;

/** Told how far a long replay, verification or recovery has got. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> { };

    /** @param total the expected number of entries, or -1 when not known */
    void update(long done, long total);
}
