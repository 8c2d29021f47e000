package io.ledgerlb.ledger;

import io.ledgerlb.ledger.event.LedgerEntry;

/**
 * A snapshot just taken: where it is stored, and the committed {@code SnapshotTaken} entry that
 * records it in the log (fold it into the state like any appended entry).
 */
public record TakenSnapshot(SnapshotInfo snapshot, LedgerEntry entry) {}
