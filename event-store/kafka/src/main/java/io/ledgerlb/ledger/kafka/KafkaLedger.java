package io.ledgerlb.ledger.kafka;

import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.DataDirLock;
import io.ledgerlb.ledger.Ledger;
import io.ledgerlb.ledger.IndexedRead;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.LedgerFollower;
import io.ledgerlb.ledger.LedgerListener;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.LocalStore;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.RecoveryReport;
import io.ledgerlb.ledger.SnapshotInfo;
import io.ledgerlb.ledger.event.ChainWalk;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.event.Subject;
import io.ledgerlb.ledger.state.LedgerSequenceException;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger on Kafka: the events topic (one partition, infinite retention), the compacted
 * snapshot topic, and optionally the SQLite journal and snapshots. Both topics are created when
 * missing. With an embedded configuration it also runs (and on close stops) the broker.
 *
 * <p>The SQLite store and the embedded broker live in modules of their own ({@code ledger-sqlite},
 * {@code ledger-embedded}) and are found with {@link ServiceLoader} when the configuration asks for
 * them: a process that only follows the ledger (the speaker) carries neither.
 */
public final class KafkaLedger implements Ledger {
    private static final Logger log = LoggerFactory.getLogger(KafkaLedger.class);
    private static final int RECOVERY_BATCH = 2_000;
    /** Where an embedded broker's ports are kept, beside its {@code kafka/} folder (which recovery may replace). */
    public static final String EMBEDDED_PORTS_FILE = "kafka-ports.properties";

    private final LedgerConfig config;
    private final Optional<LocalBroker> broker;
    private final KafkaClients clients;
    private final EventLog events;
    private final SnapshotTopic snapshotTopic;
    private final Optional<LocalStore> database;
    private final List<AutoCloseable> opened = new ArrayList<>();
    /** The data folder's lock, released last on close. */
    private Optional<DataDirLock> lock = Optional.empty();

    private KafkaLedger(LedgerConfig config, Optional<LocalBroker> broker, KafkaClients clients,
                        Optional<LocalStore> database) {
        this.config = config;
        this.broker = broker;
        this.clients = clients;
        this.events = new EventLog(clients, config.eventsTopic());
        this.snapshotTopic = new SnapshotTopic(clients, config.snapshotsTopic(), config.eventsTopic());
        this.database = database;
    }

    /** Opens the ledger: starts the embedded broker if configured, creates missing topics, opens SQLite. */
    public static KafkaLedger open(LedgerConfig config) {
        return open(config, "a ledgerlb process");
    }

    /**
     * As {@link #open(LedgerConfig)}; first locks the data folder (the embedded broker's, or the
     * SQLite file's) for {@code holder}, so that no second process opens a live broker or journal.
     *
     * @throws DataDirLock.InUseException when another process holds the folder
     */
    public static KafkaLedger open(LedgerConfig config, String holder) {
        Optional<Path> folder = config.embeddedDataDir()
                .or(() -> config.sqliteFile().map(f -> f.toAbsolutePath().getParent()));
        Optional<DataDirLock> lock = folder.map(dir -> DataDirLock.acquire(dir, holder));
        Optional<LocalBroker> broker = Optional.empty();
        try {
            Optional<BrokerCredentials> credentials = config.embeddedDataDir().map(BrokerCredentials::loadOrGenerate);
            broker = config.embeddedDataDir().map(dir -> provider(LocalBroker.Starter.class, "ledger-embedded")
                    .start(dir.resolve("kafka"), dir.resolve(EMBEDDED_PORTS_FILE), credentials.orElseThrow(), LedgerAcls.of(config)));
            String bootstrap = broker.map(LocalBroker::bootstrapServers).orElse(config.bootstrapServers());
            // the process that runs the embedded broker owns its data folder: it connects as the allocator
            Map<String, String> clientProperties = new java.util.LinkedHashMap<>(
                    credentials.map(BrokerCredentials::allocatorClient).orElse(Map.of()));
            clientProperties.putAll(config.clientProperties());
            KafkaClients clients = new KafkaClients(bootstrap, clientProperties);
            Topics.ensure(clients, config);
            KafkaLedger ledger = new KafkaLedger(config, broker, clients,
                    config.sqliteFile().map(file -> provider(LocalStore.Opener.class, "ledger-sqlite").open(file)));
            ledger.lock = lock;
            return ledger;
        } catch (RuntimeException e) {
            broker.ifPresent(LocalBroker::close);
            lock.ifPresent(DataDirLock::close);
            throw e;
        }
    }

    /** The implementation of {@code type} on the class path, or an error that names the module to add. */
    private static <T> T provider(Class<T> type, String module) {
        return ServiceLoader.load(type, KafkaLedger.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("this ledger configuration needs the " + module
                        + " module on the class path (no " + type.getName() + " found)"));
    }

    // ---- writing and following

    @Override
    public KafkaLedgerWriter openWriter(String actor) throws LedgerWriteException {
        KafkaLedgerWriter writer = new KafkaLedgerWriter(this, actor);
        track(writer);
        return writer;
    }

    @Override
    public LedgerFollower follow(LedgerListener listener) {
        KafkaLedgerFollower follower = new KafkaLedgerFollower(this, listener);
        track(follower);
        follower.start();
        return follower;
    }

    private synchronized void track(AutoCloseable closeable) {
        opened.add(closeable);
    }

    // ---- reading

    @Override
    public void read(long fromSequence, Consumer<LedgerEntry> handler) throws LedgerFormatException {
        readEntries(fromSequence, Long.MAX_VALUE, handler::accept, null);
    }

    /** An entry handler that may reject what it is given. */
    @FunctionalInterface
    public interface EntryHandler {
        void accept(LedgerEntry entry) throws LedgerFormatException;
    }

    /**
     * Reads the committed entries {@code from..to} (inclusive, to the end of the log as it is now)
     * that the ledger's trusted signed heads vouch for ({@link SignedChain}), in order. Records
     * that are not on that chain are logged at ERROR and passed over, never handed on: reading
     * goes on. Entries after the last signed head are not handed on.
     *
     * @return the last sequence handed to the handler, or {@code from - 1} when none
     * @throws LedgerFormatException only what the handler throws
     */
    public long readEntries(long from, long to, EntryHandler handler, Progress progress) throws LedgerFormatException {
        return readEntries(from, to, -1, null, handler, progress == null ? Progress.NONE : progress);
    }

    /**
     * As above, continuing the chain after {@code afterHash} (the hash of {@code from - 1}; null:
     * the first record's prev_hash), from where {@code from - 1} was last read when that is known.
     */
    public long readEntries(long from, long to, byte[] afterHash, EntryHandler handler, Progress progress)
            throws LedgerFormatException {
        return readEntries(from, to, positionAfter(from - 1), afterHash, handler, progress == null ? Progress.NONE : progress);
    }

    private long readEntries(long from, long to, long hintOffset, byte[] afterHash, EntryHandler handler, Progress progress)
            throws LedgerFormatException {
        if (from < 1) {
            throw new IllegalArgumentException("sequence numbers start at 1, got " + from);
        }
        try (EventLog.Lease lease = events.lease()) {
            var consumer = lease.consumer();
            long end = events.endOffset(consumer);
            long start = events.offsetOf(consumer, from, hintOffset);
            long total = to == Long.MAX_VALUE ? end - start : Math.min(end - start, to - from + 1);
            SignedChain chain = afterHash == null ? null : new SignedChain(config.trustedKeys(), from - 1, afterHash);
            long last = from - 1;
            long lastPosition = -1;
            ReadAhead records = ReadAhead.open(consumer, events.partition(), start, end, config.trustedKeys());
            try (records) {
                for (ReadAhead.Batch batch = records.next(); batch != null && last < to; batch = records.next()) {
                    for (ReadAhead.Decoded record : batch.records()) {
                        LedgerEntry entry = record.entry();
                        if (chain == null && entry != null && entry.sequence() == from) {
                            chain = new SignedChain(config.trustedKeys(), from - 1, entry.prevHash());
                        }
                        if (chain == null) {
                            continue; // before the first entry asked for
                        }
                        record.feed(chain);
                    }
                    if (chain == null) {
                        continue;
                    }
                    for (SignedChain.Verified verified : chain.settle()) {
                        if (verified.entry().sequence() > to) {
                            break;
                        }
                        handler.accept(verified.entry());
                        last = verified.entry().sequence();
                        lastPosition = verified.position();
                        if (last % POSITION_EVERY == 0) {
                            remember(last, lastPosition); // so that a read continuing from a round sequence skips the search
                        }
                        if ((last - from + 1) % 10_000 == 0) {
                            progress.update(last - from + 1, total);
                        }
                    }
                    logPassedOver(chain.drainPassedOver());
                }
            }
            if (records.leftConsumerIdle()) {
                lease.keep();
            }
            if (chain != null && last < to) {
                logPassedOver(chain.endOfRead());
            }
            progress.update(last - from + 1, total);
            if (lastPosition >= 0) {
                remember(last, lastPosition);
            }
            return last;
        }
    }

    /** Round sequences whose position a read remembers on its way (the explorer keeps states at such points). */
    private static final long POSITION_EVERY = 1_000;

    /** Where recently read entries sit in the topic (sequence to offset): a read that continues from one skips the search. */
    private final Map<Long, Long> positions = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > 4_096;
        }
    };

    private void remember(long sequence, long offset) {
        synchronized (positions) {
            positions.put(sequence, offset);
        }
    }

    /** The offset of the entry after {@code sequence}, when the entry at {@code sequence} was read lately (-1: unknown). */
    private long positionAfter(long sequence) {
        synchronized (positions) {
            Long offset = positions.get(sequence);
            return offset == null ? -1 : offset + 1;
        }
    }

    private void logPassedOver(List<SignedChain.PassedOver> records) {
        for (SignedChain.PassedOver record : records) {
            log.error("passed over a record of {}, never to apply it: {}", config.eventsTopic(), record);
        }
    }

    /**
     * The end of the verified chain, as a writer must continue it: the newest usable snapshot,
     * then the log after it walked through a {@link SignedChain} — a record appended by anyone
     * but the writer is passed over, not continued.
     *
     * @param sequence      the last verified entry (0: none)
     * @param hash          its hash
     * @param offset        its offset (-1: none, or not known)
     * @param unsignedTail  entries that continue it but no signed head vouches for: an unsigned
     *                      ledger (to adopt) where no signed head was ever found, else forgeries
     * @param signedBefore  whether a signed head (or a snapshot one vouches for) was found
     * @param keys          the keys in effect at the tip (after the rotations on the way)
     */
    public record Tip(long sequence, byte[] hash, long offset, List<LedgerEntry> unsignedTail, boolean signedBefore,
                      TrustedKeys keys, List<SignedChain.PassedOver> signedRivals) {}

    public Tip verifiedTip() {
        Restored restored = restoreLatest(Long.MAX_VALUE);
        LedgerState state = restored.state();
        SignedChain chain = new SignedChain(config.trustedKeys(), state.sequence(), state.lastHash());
        return walkToTip(chain, restored.nextOffset(), restored.nextOffset() - 1, state.sequence() > 0);
    }

    /**
     * {@link #verifiedTip}, walked on from an earlier tip: only the records after it are read.
     * For a caller that asks often (the speaker's staleness probe): a whole walk restores the
     * latest snapshot and reads the log after it, at 50,000 Services hundreds of megabytes of
     * garbage each time. Falls back to a whole walk when the earlier tip has no offset.
     */
    public Tip verifiedTipAfter(Tip earlier) {
        if (earlier.offset() < 0) {
            return verifiedTip();
        }
        SignedChain chain = new SignedChain(earlier.keys(), earlier.sequence(), earlier.hash());
        return walkToTip(chain, earlier.offset() + 1, earlier.offset(), earlier.signedBefore());
    }

    /**
     * Where the verified chain ends, for a caller that asks again and again (the allocator's and the
     * speaker's ledger freshness probes): each call walks on from the tip the call before found
     * ({@link #verifiedTipAfter}), so it reads only the records appended since.
     */
    public java.util.concurrent.Callable<Long> endProbe() {
        java.util.concurrent.atomic.AtomicReference<Tip> last = new java.util.concurrent.atomic.AtomicReference<>();
        return () -> {
            synchronized (last) {
                Tip before = last.get();
                Tip now = before == null ? verifiedTip() : verifiedTipAfter(before);
                last.set(now);
                return now.sequence();
            }
        };
    }

    private Tip walkToTip(SignedChain chain, long nextOffset, long tipOffset, boolean restoredSomething) {
        try (EventLog.Lease lease = events.lease()) {
            var consumer = lease.consumer();
            long from = nextOffset >= 0 ? nextOffset : events.beginOffset(consumer);
            long end = events.endOffset(consumer);
            ReadAhead records = ReadAhead.open(consumer, events.partition(), from, end, config.trustedKeys());
            try (records) {
                for (ReadAhead.Batch batch = records.next(); batch != null; batch = records.next()) {
                    for (ReadAhead.Decoded record : batch.records()) {
                        record.feed(chain);
                    }
                    chain.settle();
                    logPassedOver(chain.drainPassedOver());
                }
            }
            if (records.leftConsumerIdle()) {
                lease.keep();
            }
        }
        if (chain.tipPosition() >= 0) {
            tipOffset = chain.tipPosition();
        }
        boolean signed = chain.lastHeadSequence() > 0 || (restoredSomething && config.trustedKeys().checked());
        return new Tip(chain.tipSequence(), chain.tipHash(), tipOffset, chain.unsignedTail(), signed, chain.keys(),
                chain.signedRivals());
    }

    /**
     * The last sequence of the verified chain (0 for an empty ledger): what the signed heads vouch
     * for, not what the last record claims (anyone who can write to the topic can append one).
     */
    public long lastSequence() {
        return verifiedTip().sequence();
    }

    /** The sequence the last record of the topic claims, whatever it is. */
    private long lastRecordSequence() throws LedgerFormatException {
        return lastEntry().map(LedgerEntry::sequence).orElse(0L);
    }

    private Optional<LedgerEntry> lastEntry() throws LedgerFormatException {
        Optional<EventLog.Located> last;
        try (EventLog.Lease lease = events.lease()) {
            last = events.last(lease.consumer());
            lease.keep();
        }
        return last.isEmpty() ? Optional.empty() : Optional.of(LedgerEntry.decode(last.get().value()));
    }

    /**
     * The entries that concern every one of {@code subjects}, read through the SQLite audit index
     * instead of the whole topic — when there is a SQLite file and its journal ends where the topic
     * does (same last sequence, same last hash), so the index covers every committed entry. Each
     * entry returned is checked: it decodes, sits at its own sequence, and its hash matches its
     * bytes. The links between entries are not walked here; {@code verify} walks both chains.
     * Otherwise the answer is not {@link IndexedRead#used() used} and says why: scan instead.
     *
     * @throws LedgerFormatException when an indexed journal row is not the intact entry it should be
     */
    public IndexedRead readIndexed(Collection<Subject> subjects) throws LedgerFormatException {
        Optional<String> unusable = indexUnusable();
        if (unusable.isPresent()) {
            return IndexedRead.unusable(unusable.get());
        }
        return checkedRows(database.get().rowsAbout(subjects), "journal " + database.get().file()
                + " and topic " + config.eventsTopic() + " both end at sequence " + database.get().lastSequence());
    }

    /**
     * One page of {@link #readIndexed(Collection)}: the entries about every one of {@code subjects}
     * with a sequence in {@code from..to}, <em>newest first</em>, at most {@code limit} (the
     * explorer's timelines page through a pool's million entries this way). Same conditions and
     * checks as the whole read.
     */
    public IndexedRead readIndexed(Collection<Subject> subjects, long from, long to, int limit)
            throws LedgerFormatException {
        Optional<String> unusable = indexUnusable();
        if (unusable.isPresent()) {
            return IndexedRead.unusable(unusable.get());
        }
        return checkedRows(database.get().pageAbout(subjects, from, to, limit),
                "a page of the index of journal " + database.get().file());
    }

    /** Why the audit index cannot answer for the whole topic, or empty when it can. */
    private Optional<String> indexUnusable() throws LedgerFormatException {
        if (database.isEmpty()) {
            return Optional.of("no SQLite file");
        }
        LocalStore journal = database.get();
        long journaled = journal.lastSequence();
        Optional<LedgerEntry> topicLast = lastEntry();
        long inTopic = topicLast.map(LedgerEntry::sequence).orElse(0L);
        if (journaled != inTopic) {
            return Optional.of("the journal ends at sequence " + journaled + ", the topic at " + inTopic);
        }
        if (inTopic > 0 && !Arrays.equals(topicLast.get().hash(),
                journal.entry(journaled).map(KafkaLedger::hashOrNull).orElse(null))) {
            return Optional.of("the journal's entry " + journaled + " differs from the topic's");
        }
        return Optional.empty();
    }

    /** Decodes index rows, checking each: it decodes, sits at its own sequence, its hash matches its bytes. */
    private static IndexedRead checkedRows(List<LocalStore.Row> rows, String detail) throws LedgerFormatException {
        List<LedgerEntry> found = new ArrayList<>();
        for (LocalStore.Row row : rows) {
            LedgerEntry entry;
            try {
                entry = LedgerEntry.decode(row.entry());
            } catch (LedgerFormatException e) {
                throw new LedgerFormatException(row.sequence(), "journal row " + row.sequence() + " is not a ledger entry", e);
            }
            if (entry.sequence() != row.sequence() || !entry.hashValid()) {
                throw new LedgerFormatException(row.sequence(), "journal row " + row.sequence()
                        + (entry.sequence() != row.sequence() ? " holds sequence " + entry.sequence()
                        : ": hash does not match the event's bytes (altered)"));
            }
            found.add(entry);
        }
        return IndexedRead.found(found, detail);
    }

    private static byte[] hashOrNull(byte[] stored) {
        try {
            return LedgerEntry.decode(stored).hash();
        } catch (LedgerFormatException e) {
            return null;
        }
    }

    @Override
    public LedgerState stateAt(long sequence) throws LedgerFormatException {
        return stateAt(sequence, Progress.NONE);
    }

    /**
     * The state at {@code sequence}: the newest usable snapshot at or before it (SQLite or the
     * snapshot topic), plus replay of the entries after it.
     *
     * @throws IllegalArgumentException when the ledger ends before {@code sequence}
     */
    public LedgerState stateAt(long sequence, Progress progress) throws LedgerFormatException {
        return foldOn(restoreLatest(sequence), sequence, progress);
    }

    /**
     * The sequence of the newest snapshot at or before {@code maxSequence}, in SQLite or on the
     * snapshot topic (0: none). Not checked: {@link #stateAt(long)} passes over one that is unusable.
     */
    public long newestSnapshot(long maxSequence) {
        long inDatabase = database.map(db -> db.snapshotSequencesNewestFirst(maxSequence).stream().findFirst().orElse(0L))
                .orElse(0L);
        long onTopic = snapshotTopic.sequencesNewestFirst(maxSequence).stream().findFirst().orElse(0L);
        return Math.max(inDatabase, onTopic);
    }

    @Override
    public LedgerState stateAt(long sequence, LedgerState near) throws LedgerFormatException {
        if (near.sequence() > sequence || newestSnapshot(sequence) > near.sequence()) {
            return stateAt(sequence);
        }
        return foldOn(new Restored(near.copy(), positionAfter(near.sequence())), sequence, Progress.NONE);
    }

    private LedgerState foldOn(Restored restored, long sequence, Progress progress) throws LedgerFormatException {
        LedgerState state = restored.state();
        if (state.sequence() < sequence) {
            // readEntries hands on only entries a signed head vouches for; apply checks they continue the state's chain
            readEntries(state.sequence() + 1, sequence, restored.nextOffset(), state.lastHash(),
                    entry -> apply(state, entry), progress);
        }
        if (state.sequence() < sequence) {
            throw new IllegalArgumentException("the ledger ends at sequence " + state.sequence() + ", before " + sequence);
        }
        return state;
    }

    /** Checks an entry's hash and folds it (see {@link #apply}). */
    static void fold(LedgerState state, LedgerEntry entry) throws LedgerFormatException {
        if (!entry.hashValid()) {
            throw new LedgerFormatException(entry.sequence(), "hash does not match the event's bytes (altered)");
        }
        apply(state, entry);
    }

    /** Folds one entry, turning a chain mismatch into a format error that names the sequence. */
    static void apply(LedgerState state, LedgerEntry entry) throws LedgerFormatException {
        try {
            state.apply(entry);
        } catch (LedgerSequenceException e) {
            throw new LedgerFormatException(entry.sequence(), e.getMessage(), e);
        }
    }

    /** A state restored from a snapshot, and where its tail starts in the topic (-1: search by sequence). */
    record Restored(LedgerState state, long nextOffset) {}

    /**
     * The newest snapshot at or before {@code maxSequence} that is intact (checksum, format) and
     * lies on this log's chain (its last hash is the hash of the entry it covers); an empty state
     * when there is none. Unusable snapshots are logged and passed over.
     */
    Restored restoreLatest(long maxSequence) {
        // SQLite first, loading one snapshot at a time: the newest usable one there is the answer
        // (the topic holds the same snapshots; one it has beyond SQLite's only shortens the replay),
        // so a point in a long ledger does not load every older snapshot, nor scan the snapshot topic
        if (database.isPresent()) {
            Optional<Restored> restored = firstUsable(database.get().snapshotSequencesNewestFirst(maxSequence),
                    database.get()::loadSnapshot);
            if (restored.isPresent()) {
                return restored.get();
            }
        }
        // then the topic, one snapshot at a time through its index of sequences
        return firstUsable(snapshotTopic.sequencesNewestFirst(maxSequence), snapshotTopic::load)
                .orElseGet(() -> new Restored(new LedgerState(), -1));
    }

    /** The first of these snapshots (by sequence, newest first) that is usable, restored; each loaded only when reached. */
    private Optional<Restored> firstUsable(List<Long> sequences, java.util.function.LongFunction<Optional<StoredSnapshot>> load) {
        for (long sequence : sequences) {
            Optional<StoredSnapshot> snapshot = sequence == 0 ? Optional.empty() : load.apply(sequence);
            if (snapshot.isPresent()) {
                try {
                    LedgerState state = snapshot.get().restore();
                    long covered = onChainOnce(snapshot.get(), state);
                    remember(sequence, covered);
                    return Optional.of(new Restored(state, covered + 1));
                } catch (LedgerFormatException e) {
                    log.warn("passing over a snapshot: {}; using an older one and a longer replay", e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Checks a snapshot's last hash against the log and, when signatures are checked, that a
     * signed {@code SnapshotTaken} head right after that entry names the snapshot's checksum (so
     * nobody but the writer can make a snapshot readers start from); returns the offset of the
     * entry it covers.
     */
    private long onChain(StoredSnapshot snapshot) throws LedgerFormatException {
        return onChain(snapshot, snapshot.restore());
    }

    /**
     * Snapshots found on the chain (and endorsed) already: their place and checksum, to the offset
     * of the entry they cover. A reader that restores the same snapshot again (the explorer, asked
     * for points far apart) skips the walk to the log and the endorsement's signature; the bytes
     * are still checked against the checksum by {@link StoredSnapshot#restore}.
     */
    private final Map<String, Long> onChainAlready = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 1_024;
                }
            });

    private long onChainOnce(StoredSnapshot snapshot, LedgerState state) throws LedgerFormatException {
        String key = snapshot.location() + "@" + snapshot.sequence() + ":" + java.util.HexFormat.of().formatHex(snapshot.sha256())
                + ":" + java.util.HexFormat.of().formatHex(state.lastHash());
        Long covered = onChainAlready.get(key);
        if (covered == null) {
            covered = onChain(snapshot, state);
            onChainAlready.put(key, covered);
        }
        return covered;
    }

    /** {@link #onChain(StoredSnapshot)} for a snapshot already restored into {@code state}. */
    private long onChain(StoredSnapshot snapshot, LedgerState state) throws LedgerFormatException {
        try (EventLog.Lease lease = events.lease()) {
            var consumer = lease.consumer();
            Optional<EventLog.Located> at = events.entryAt(consumer, snapshot.sequence(), snapshot.kafkaOffset());
            if (at.isEmpty() || !Arrays.equals(LedgerEntry.decode(at.get().value()).hash(), state.lastHash())) {
                throw new LedgerFormatException(snapshot.sequence(), "snapshot in " + snapshot.location()
                        + " does not match the log's entry at that sequence");
            }
            if (config.trustedKeys().checked() && !endorsed(consumer, snapshot, state.lastHash(), at.get().offset())) {
                throw new LedgerFormatException(snapshot.sequence(), "snapshot in " + snapshot.location()
                        + " is not named by a signed SnapshotTaken entry of a trusted key");
            }
            lease.keep();
            return at.get().offset();
        }
    }

    /** How far after the entry a snapshot covers its signed {@code SnapshotTaken} may sit (other records between are forged). */
    private static final int ENDORSEMENT_WINDOW = 1_000;

    private boolean endorsed(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, StoredSnapshot snapshot,
                             byte[] coveredHash, long coveredOffset) throws LedgerFormatException {
        boolean[] found = {false};
        long end = Math.min(events.endOffset(consumer), coveredOffset + 1 + ENDORSEMENT_WINDOW);
        events.scan(consumer, coveredOffset + 1, end, record -> {
            try {
                LedgerEntry entry = LedgerEntry.decode(record.value());
                found[0] = entry.sequence() == snapshot.sequence() + 1
                        && entry.event().hasSnapshotTaken()
                        && entry.event().getSnapshotTaken().getCoversSequence() == snapshot.sequence()
                        && Arrays.equals(entry.event().getSnapshotTaken().getStateSha256().toByteArray(), snapshot.sha256())
                        && Arrays.equals(entry.prevHash(), coveredHash)
                        && entry.hashValid()
                        && entry.signatureValid(config.trustedKeys());
            } catch (LedgerFormatException notAnEntry) {
                found[0] = false;
            }
            return !found[0];
        });
        return found[0];
    }

    /** Snapshots at or before {@code maxSequence} from SQLite and the snapshot topic, newest first. */
    private List<StoredSnapshot> snapshotCandidates(long maxSequence) {
        List<StoredSnapshot> candidates = new ArrayList<>();
        database.ifPresent(db -> db.snapshotSequencesNewestFirst(maxSequence)
                .forEach(seq -> db.loadSnapshot(seq).ifPresent(candidates::add)));
        candidates.addAll(snapshotTopic.newestFirst(maxSequence));
        candidates.removeIf(s -> s.sequence() == 0);
        candidates.sort(Comparator.comparingLong(StoredSnapshot::sequence).reversed());
        return candidates;
    }

    /** Every stored snapshot (SQLite and topic), newest first, each checked: usable or why not. */
    public List<SnapshotInfo> snapshots() {
        List<SnapshotInfo> infos = new ArrayList<>();
        for (StoredSnapshot snapshot : snapshotCandidates(Long.MAX_VALUE)) {
            try {
                onChain(snapshot);
                infos.add(snapshot.info(""));
            } catch (LedgerFormatException e) {
                infos.add(snapshot.info(e.getMessage()));
            }
        }
        return infos;
    }

    // ---- verification and recovery

    /**
     * Walks the topic from the start through a {@link SignedChain} and names every record that is
     * not on the chain the trusted signed heads vouch for (sequence, offset, why) — never the good
     * entry after one.
     */
    public ChainReport verifyLog(Progress progress) {
        ChainWalk walk = new ChainWalk("kafka:" + config.eventsTopic(), config.trustedKeys());
        try (var consumer = events.open()) {
            long begin = events.beginOffset(consumer);
            long end = events.endOffset(consumer);
            try (ReadAhead records = ReadAhead.open(consumer, events.partition(), begin, end)) {
                for (ReadAhead.Batch batch = records.next(); batch != null; batch = records.next()) {
                    for (ReadAhead.Decoded record : batch.records()) {
                        if (record.entry() != null) {
                            walk.accept(record.entry(), record.offset());
                        } else {
                            walk.acceptUndecodable(record.error(), record.offset());
                        }
                    }
                    walk.settle();
                    progress.update(batch.positionAfter() - begin, end - begin);
                }
            }
        }
        return walk.report();
    }

    /** Walks the SQLite journal's chain (see {@link LocalStore#verify}). */
    public ChainReport verifyJournal(Progress progress) {
        return requireDatabase().verify(config.trustedKeys(), progress);
    }

    /**
     * Rebuilds the topic from the SQLite journal: checks the journal's whole chain first, checks
     * that what the topic still holds is the journal's beginning byte for byte, then writes the
     * rest in transactions of the exact journaled bytes — the identical chain. Opening the
     * transactional producer fences any writer of this ledger.
     *
     * @throws LedgerFormatException when the journal's chain is broken or the topic diverges from it
     */
    public RecoveryReport recoverFromJournal(Progress progress) throws LedgerFormatException, LedgerWriteException {
        LocalStore journal = requireDatabase();
        ChainReport journalReport = journal.verify(config.trustedKeys(), Progress.NONE);
        if (!journalReport.intact()) {
            throw new LedgerFormatException(journalReport.firstBreak().get().sequence(),
                    "the journal is not intact, nothing recovered: " + journalReport);
        }
        long journaled = journalReport.lastSequence();
        long inTopic = 0;
        long[] written = {0};
        // The producer fences every writer first; only then is the tail read (see the writer's awaitSettled).
        try (Producer<byte[], byte[]> producer = clients.transactionalProducer(config.transactionalId())) {
            producer.initTransactions();
            awaitSettled();
            Tip tip = verifiedTip();
            inTopic = tip.sequence();
            if (inTopic > 0) {
                byte[] topicHash = tip.hash();
                byte[] journalHash = journal.entry(inTopic).map(b -> decodeQuietly(b).hash()).orElse(null);
                if (!Arrays.equals(topicHash, journalHash)) {
                    throw new LedgerFormatException(inTopic, "the topic and the journal differ at sequence " + inTopic
                            + "; recover into an empty topic instead");
                }
            }
            long toWrite = Math.max(0, journaled - inTopic);
            List<byte[]> batch = new ArrayList<>(RECOVERY_BATCH);
            long[] next = {inTopic + 1};
            journal.read(inTopic + 1, (sequence, entry) -> {
                batch.add(entry);
                if (batch.size() == RECOVERY_BATCH) {
                    next[0] = writeBatch(producer, next[0], batch);
                    written[0] += RECOVERY_BATCH;
                    batch.clear();
                    progress.update(written[0], toWrite);
                }
                return true;
            });
            if (!batch.isEmpty()) {
                writeBatch(producer, next[0], batch);
                written[0] += batch.size();
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new io.ledgerlb.ledger.LedgerFencedException("recovery was fenced by a newer writer", e);
        } catch (KafkaException e) {
            throw new LedgerWriteException("recovery failed after " + written[0] + " entries: " + e.getMessage(), e);
        }
        awaitRecovered(journaled);
        progress.update(written[0], written[0]);
        LedgerEntry last = journal.entry(journaled).map(KafkaLedger::decodeQuietly).orElse(null);
        log.info("recovered {} entries from the journal into {} ({} were there already)", written[0],
                config.eventsTopic(), inTopic);
        return new RecoveryReport(inTopic, written[0], Math.max(journaled, inTopic),
                last == null ? "" : last.hashHex());
    }

    /** Waits for the partition's open transactions to be resolved before its tail is read (see the writer). */
    private void awaitSettled() throws LedgerWriteException {
        try (var consumer = events.open()) {
            if (!events.awaitSettled(consumer, KafkaLedgerWriter.SETTLE_TIMEOUT)) {
                throw new LedgerWriteException("a transaction on " + config.eventsTopic() + " is still open after "
                        + KafkaLedgerWriter.SETTLE_TIMEOUT.toSeconds() + " s; nothing recovered", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerWriteException("interrupted while waiting for open transactions to settle", e);
        }
    }

    private long writeBatch(Producer<byte[], byte[]> producer, long firstSequence, List<byte[]> batch) {
        producer.beginTransaction();
        long sequence = firstSequence;
        for (byte[] sealed : batch) {
            producer.send(KafkaLedgerWriter.record(config.eventsTopic(), sequence++, sealed));
        }
        producer.commitTransaction();
        return sequence;
    }

    /** Returns once read_committed readers see the recovered entries (the commit markers come just after). */
    private void awaitRecovered(long sequence) throws LedgerFormatException {
        long deadline = System.nanoTime() + KafkaLedgerWriter.VISIBILITY_TIMEOUT.toNanos();
        while (lastRecordSequence() < sequence && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static LedgerEntry decodeQuietly(byte[] verified) {
        try {
            return LedgerEntry.decode(verified);
        } catch (LedgerFormatException e) {
            throw new IllegalStateException("a verified journal entry does not decode", e);
        }
    }

    private LocalStore requireDatabase() {
        return database.orElseThrow(() -> new IllegalStateException("this ledger has no SQLite file configured"));
    }

    // ---- parts, for the writer, the follower and tests

    public LedgerConfig config() {
        return config;
    }

    public Optional<LocalStore> database() {
        return database;
    }

    /** The embedded broker, when this ledger runs one. */
    public Optional<LocalBroker> embeddedBroker() {
        return broker;
    }

    public String bootstrapServers() {
        return clients.bootstrapServers();
    }

    KafkaClients clients() {
        return clients;
    }

    EventLog events() {
        return events;
    }

    SnapshotTopic snapshotTopic() {
        return snapshotTopic;
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {}: {}", c, e.getMessage());
            }
        }
        events.close();
        snapshotTopic.close();
        database.ifPresent(LocalStore::close);
        broker.ifPresent(LocalBroker::close);
        lock.ifPresent(DataDirLock::close);
    }
}
