package io.ledgerlb.ledger.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ledgerlb.events.v1.Cause;
import io.ledgerlb.events.v1.Event;
import io.ledgerlb.events.v1.LedgerAdopted;
import io.ledgerlb.events.v1.SigningKeyRotated;
import io.ledgerlb.events.v1.SnapshotTaken;
import io.ledgerlb.ledger.LedgerFencedException;
import io.ledgerlb.ledger.LedgerTransaction;
import io.ledgerlb.ledger.LedgerWriteException;
import io.ledgerlb.ledger.LedgerWriter;
import io.ledgerlb.ledger.LocalStore;
import io.ledgerlb.ledger.TakenSnapshot;
import io.ledgerlb.ledger.event.HashChain;
import io.ledgerlb.ledger.event.LedgerEntry;
import io.ledgerlb.ledger.event.LedgerFormatException;
import io.ledgerlb.ledger.event.SignedChain;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.StoredSnapshot;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's one writer: a transactional producer with the ledger's fixed transactional id.
 * Opening it fences any older writer and reads the tail of the log to continue the chain.
 * Each transaction seals its events as they are staged and commits them at once; once committed
 * they are mirrored into the SQLite journal (when there is one).
 *
 * <p>Failures: a fenced writer throws {@link LedgerFencedException} for good. Any other failure
 * aborts the transaction and throws {@link LedgerWriteException}, with nothing of the batch
 * committed — except when the commit itself timed out (the broker unreachable for longer than
 * {@code max.block.ms}): then its outcome is not known yet, the exception says so, and the next
 * append first finishes that commit; a follower of the ledger shows what committed either way.
 */
public final class KafkaLedgerWriter implements LedgerWriter {
    private static final Logger log = LoggerFactory.getLogger(KafkaLedgerWriter.class);
    private static final int CATCH_UP_BATCH = 2_000;
    static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long a writer waits for the partition's open transactions to be resolved: longer than
     * a transaction's timeout (the producer's default 60 s), after which the coordinator aborts it.
     */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(75);
    /**
     * How long the pre-commit check waits for the transactions before this writer's own, after
     * the {@code HANGING_AFTER} (15 s) wait that ends in aborting a hanging one: 15 + 30 s, inside
     * this writer's open transaction, stays under {@code transaction.timeout.ms} (the producer's
     * default 60 s). With the 75 s used before, the coordinator could abort the writer's own
     * transaction and bump its epoch first: the answer would reach a fenced writer, and the
     * allocator would step down instead of aborting and retrying.
     */
    static final Duration IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaLedger ledger;
    private final String actor;
    /** Signs the last entry of every transaction; null writes unsigned (a ledger readers with keys do not apply). */
    private SigningKey signingKey;
    /** Set while an unsigned ledger is being adopted: the last of its unsigned sequences. */
    private Long adopting;
    private Producer<byte[], byte[]> producer;
    /** Watches the end of the log, to return from an append only once readers can see it. */
    private Consumer<byte[], byte[]> visibility;
    private long lastSequence;
    private byte[] lastHash = HashChain.GENESIS;
    private long lastOffset = -1;
    /** The keys the chain trusts at its tip (rotations included): what a rival entry must be signed by. */
    private TrustedKeys chainKeys;
    private Pending pending;
    private Transaction open;
    private boolean fenced;
    private boolean closed;

    /** A batch whose commit timed out: committed or not, the producer will tell on the next try. */
    private record Pending(List<LedgerEntry> entries, List<Future<RecordMetadata>> sent) {}

    KafkaLedgerWriter(KafkaLedger ledger, String actor) throws LedgerWriteException {
        this.ledger = ledger;
        this.actor = actor;
        this.signingKey = ledger.config().signingKey().orElse(null);
        openProducer();
    }

    private void openProducer() throws LedgerWriteException {
        producer = ledger.clients().transactionalProducer(ledger.config().transactionalId());
        try {
            producer.initTransactions();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw fence(e);
        } catch (KafkaException e) {
            closeProducer();
            throw new LedgerWriteException("cannot open the ledger writer: " + e.getMessage(), e);
        }
        awaitSettled();
        try {
            syncWithLog();
        } catch (LedgerWriteException | RuntimeException e) {
            closeProducer();
            throw e;
        }
    }

    /**
     * Waits until every transaction open on the partition when this producer fenced its
     * predecessors is resolved. {@code initTransactions()} settles the pending transaction of our
     * transactional id in the coordinator, but a record of a transaction still open sits before
     * the last stable offset's reach: a tail read now would miss it, and if it commits later it
     * lands behind the tail this writer continues — a fork. So the tail is read only once the last
     * stable offset has reached the high watermark seen after fencing.
     */
    private void awaitSettled() throws LedgerWriteException {
        EventLog events = ledger.events();
        try (Consumer<byte[], byte[]> consumer = events.open()) {
            if (!events.awaitSettled(consumer, SETTLE_TIMEOUT)) {
                closeProducer();
                throw new LedgerWriteException("a transaction on " + ledger.config().eventsTopic()
                        + " is still open after " + SETTLE_TIMEOUT.toSeconds() + " s (the last stable offset is "
                        + events.endOffset(consumer) + ", the log ends at " + events.highWatermark()
                        + "): the chain's tail is not known yet, so no entry can follow it", null);
            }
        } catch (KafkaException e) {
            closeProducer();
            throw new LedgerWriteException("cannot read the end of " + ledger.config().eventsTopic() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeProducer();
            throw new LedgerWriteException("interrupted while waiting for open transactions to settle", e);
        }
    }

    /**
     * Why this transaction must not commit, if it must not: its first record has to follow the
     * tail this writer read. Every transaction before that record must be resolved (the last
     * stable offset has reached it; ours, still open, keeps it from going further) and none of
     * them may have committed a record after the tail — else the commit would fork the chain.
     */
    private Optional<String> tailMoved(List<Future<RecordMetadata>> sent)
            throws ExecutionException, InterruptedException, LedgerFormatException {
        producer.flush();
        long first = sent.get(0).get().offset();
        EventLog events = ledger.events();
        Consumer<byte[], byte[]> consumer = visibility();
        if (!events.awaitResolved(consumer, first - 1, IN_TRANSACTION_TIMEOUT)) {
            return Optional.of("a transaction before offset " + first + " is still open after "
                    + IN_TRANSACTION_TIMEOUT.toSeconds() + " s");
        }
        return verifiedRival(events, consumer, Math.max(lastOffset + 1, events.beginOffset(consumer)), first);
    }

    /**
     * A committed entry between the tail this writer read and its own first record that the
     * verified chain takes after that tail. Records no trusted signed head vouches for (a forgery
     * appended by anyone who can reach the topic) do not count: else one injected record would
     * make every commit abort.
     */
    private Optional<String> verifiedRival(EventLog events, Consumer<byte[], byte[]> consumer, long from, long to)
            throws LedgerFormatException {
        if (from >= to) {
            return Optional.empty();
        }
        SignedChain chain = new SignedChain(chainKeys, lastSequence, lastHash);
        events.scanDecoded(consumer, from, to, record -> {
            record.feed(chain);
            return true;
        });
        chain.settle();
        if (chain.tipSequence() <= lastSequence) {
            return Optional.empty();
        }
        return Optional.of("sequence " + chain.tipSequence() + " committed at offset " + chain.tipPosition()
                + ", after the tail this writer read (sequence " + lastSequence + " at offset " + lastOffset + ")");
    }

    /**
     * Learns the end of the verified chain from the log — the entries the trusted signed heads
     * vouch for, not simply the last record, which anyone who can write to the topic could have
     * appended — and brings the journal up to it. An unsigned ledger is continued only when the
     * operator consented to adopt it: then the first transaction is a signed {@code LedgerAdopted}.
     */
    private void syncWithLog() throws LedgerWriteException {
        KafkaLedger.Tip tip;
        try {
            tip = ledger.verifiedTip();
        } catch (KafkaException e) {
            throw new LedgerWriteException("cannot read the tail of " + ledger.config().eventsTopic() + ": " + e.getMessage(), e);
        }
        if (!tip.signedRivals().isEmpty()) {
            SignedChain.PassedOver rival = tip.signedRivals().get(0);
            throw new LedgerWriteException(ledger.config().eventsTopic() + " is forked: " + rival + ". No entry can follow "
                    + "a chain with two signed histories; `ledgerlb verify` names them, `ledgerlb recover` rebuilds the log "
                    + "from the journal", new LedgerFormatException(rival.sequence(), "two signed entries hold sequence "
                    + rival.sequence() + " (one at offset " + rival.position() + "): a fork"));
        }
        List<LedgerEntry> unsigned = tip.unsignedTail();
        chainKeys = tip.keys();
        adopting = null;
        if (!unsigned.isEmpty() && !tip.signedBefore()) {
            LedgerEntry lastUnsigned = unsigned.get(unsigned.size() - 1);
            if (signingKey == null) {
                throw new IllegalStateException("unreachable: without a signing key nothing waits for a signed head");
            }
            if (!ledger.config().adoptUnsigned()) {
                throw new LedgerWriteException(ledger.config().eventsTopic() + " holds " + unsigned.size()
                        + " entries no signed head vouches for (sequences " + unsigned.get(0).sequence() + ".."
                        + lastUnsigned.sequence() + "): an unsigned ledger. Check it with verify, then adopt it explicitly "
                        + "(--adopt-unsigned-ledger): a LedgerAdopted entry signed by this writer's key will vouch for them", null);
            }
            lastSequence = lastUnsigned.sequence();
            lastHash = lastUnsigned.hash();
            lastOffset = -1;
            adopting = lastUnsigned.sequence();
        } else {
            if (!unsigned.isEmpty()) {
                log.error("{} entries after sequence {} of {} are not vouched for by any signed head (forged, or a "
                        + "writer without the key): continuing the signed chain, not them", unsigned.size(), tip.sequence(),
                        ledger.config().eventsTopic());
            }
            lastSequence = tip.sequence();
            lastHash = tip.hash();
            lastOffset = tip.offset();
        }
        if (signingKey != null && tip.keys().checked() && tip.signedBefore() && !tip.keys().knows(signingKey.keyId())) {
            throw new LedgerWriteException("this writer's signing key " + signingKey + " is not trusted at the end of "
                    + ledger.config().eventsTopic() + " (retired by a key rotation, or never trusted): readers would pass "
                    + "over everything it signs", null);
        }
        if (signingKey == null && tip.signedBefore()) {
            throw new LedgerWriteException(ledger.config().eventsTopic() + " is signed (up to sequence " + tip.sequence()
                    + "): a writer without the signing key (--signing-key) would write entries no reader applies", null);
        }
        if (signingKey == null) {
            log.warn("ledger writer '{}' on {} has no signing key: it writes entries readers with trusted keys never apply",
                    actor, ledger.config().eventsTopic());
        }
        Optional<LocalStore> db = ledger.database();
        if (db.isPresent() && adopting != null) {
            // no signed head vouches for these yet, so readers pass them by: journal them as read
            for (int i = 0; i < unsigned.size(); i += CATCH_UP_BATCH) {
                db.get().append(unsigned.subList(i, Math.min(unsigned.size(), i + CATCH_UP_BATCH)));
            }
        } else if (db.isPresent()) {
            catchUpJournal(db.get());
        }
        log.info("ledger writer '{}' on {} continues after sequence {}", actor, ledger.config().eventsTopic(), lastSequence);
        if (adopting != null) {
            adopt();
        }
    }

    /** Records the operator's adoption of an unsigned ledger: a head signed by this writer's key. */
    private void adopt() throws LedgerWriteException {
        Event adopted = Event.newBuilder()
                .setCause(Cause.newBuilder().setReason("LedgerAdopted")
                        .setMessage("an operator adopted the unsigned entries up to sequence " + adopting))
                .setLedgerAdopted(LedgerAdopted.newBuilder()
                        .setPublicKey(ByteString.copyFrom(signingKey.publicKey().getEncoded()))
                        .setKeyId(ByteString.copyFrom(signingKey.keyId()))
                        .setUnsignedThroughSequence(adopting))
                .build();
        try (LedgerTransaction transaction = begin()) {
            transaction.stage(List.of(adopted));
            transaction.commit();
        }
        log.warn("adopted the unsigned ledger {} up to sequence {}: the signed head at sequence {} (key {}) vouches for it",
                ledger.config().eventsTopic(), adopting, lastSequence, signingKey);
        adopting = null;
    }

    /**
     * Rotates the signing key: records a {@code SigningKeyRotated} entry naming {@code next},
     * signed by the current key, then signs with {@code next}. Readers believe {@code next} from
     * that entry on and no longer the current key; give them {@code next}'s public key too (for
     * readers that start from a later snapshot).
     */
    public synchronized LedgerEntry rotateKey(SigningKey next) throws LedgerWriteException {
        if (signingKey == null) {
            throw new IllegalStateException("a writer without a signing key has nothing to rotate; adopt the ledger instead");
        }
        Event rotated = Event.newBuilder()
                .setCause(Cause.newBuilder().setReason("SigningKeyRotated").setMessage("signing key " + signingKey
                        + " retired for " + next))
                .setSigningKeyRotated(SigningKeyRotated.newBuilder()
                        .setNewPublicKey(ByteString.copyFrom(next.publicKey().getEncoded()))
                        .setNewKeyId(ByteString.copyFrom(next.keyId())))
                .build();
        LedgerEntry entry;
        try (LedgerTransaction transaction = begin()) {
            transaction.stage(List.of(rotated));
            entry = transaction.commit().get(0);
        }
        log.warn("ledger {} now signed by {} (rotated from {} at sequence {})", ledger.config().eventsTopic(), next,
                signingKey, entry.sequence());
        if (chainKeys.checked()) {
            chainKeys = chainKeys.rotated(signingKey.keyId(), next.publicKey());
        }
        signingKey = next;
        return entry;
    }

    /** Copies committed entries the journal lacks (e.g. a crash between commit and journal) from Kafka. */
    private void catchUpJournal(LocalStore journal) throws LedgerWriteException {
        long journaled = journal.lastSequence();
        if (journaled > lastSequence) {
            throw new LedgerWriteException("the SQLite journal holds sequence " + journaled + " but "
                    + ledger.config().eventsTopic() + " ends at " + lastSequence
                    + ": the topic lost entries. Run recover to rebuild it from the journal.", null);
        }
        if (journaled == lastSequence) {
            return;
        }
        byte[] expectedPrev = journaled == 0 ? HashChain.GENESIS
                : journal.entry(journaled).map(KafkaLedgerWriter::hashOf).orElse(null);
        List<LedgerEntry> batch = new ArrayList<>();
        try {
            ledger.readEntries(journaled + 1, lastSequence, entry -> {
                if (entry.sequence() == journaled + 1 && !Arrays.equals(entry.prevHash(), expectedPrev)) {
                    throw new LedgerFormatException(entry.sequence(), "the topic does not continue the journal's chain");
                }
                batch.add(entry);
                if (batch.size() >= CATCH_UP_BATCH) {
                    journal.append(batch);
                    batch.clear();
                }
            }, null);
        } catch (LedgerFormatException e) {
            throw new LedgerWriteException("cannot bring the journal up to the topic: " + e.getMessage(), e);
        }
        journal.append(batch);
        log.info("journal caught up from sequence {} to {}", journaled, lastSequence);
    }

    private static byte[] hashOf(byte[] sealed) {
        try {
            return LedgerEntry.decode(sealed).hash();
        } catch (LedgerFormatException e) {
            return null;
        }
    }

    @Override
    public synchronized LedgerTransaction begin() throws LedgerWriteException {
        ready();
        if (open != null) {
            throw new IllegalStateException("a ledger transaction is already open on this writer");
        }
        open = new Transaction();
        return open;
    }

    /**
     * Takes a snapshot of {@code state}, which must be folded up to this writer's last entry: the
     * state goes to the snapshot topic in the same transaction as a {@code SnapshotTaken} event,
     * and into SQLite (when configured) once committed. The returned entry (the
     * {@code SnapshotTaken} event) is the ledger's next one: fold it into the state.
     */
    public synchronized TakenSnapshot takeSnapshot(LedgerState state) throws LedgerWriteException {
        ready();
        if (state.sequence() != lastSequence || !Arrays.equals(state.lastHash(), lastHash)) {
            throw new IllegalArgumentException("the state is at sequence " + state.sequence()
                    + " but the ledger at " + lastSequence + ": snapshot a state folded up to the writer's last entry");
        }
        SnapshotTopic topic = ledger.snapshotTopic();
        StoredSnapshot snapshot = StoredSnapshot.of(state, lastOffset, topic.location());
        String location = ledger.database().isPresent() ? "sqlite," + topic.location() : topic.location();
        Event taken = Event.newBuilder()
                .setSnapshotTaken(SnapshotTaken.newBuilder()
                        .setCoversSequence(snapshot.sequence())
                        .setStateSha256(ByteString.copyFrom(snapshot.sha256()))
                        .setLocation(location))
                .build();
        LedgerEntry entry;
        try (Transaction transaction = (Transaction) begin()) {
            transaction.stage(List.of(taken));
            entry = transaction.commit(List.of(topic.record(snapshot))).get(0);
        }
        ledger.database().ifPresent(db -> db.saveSnapshot(snapshot));
        log.info("snapshot of sequence {} taken ({} bytes, {})", snapshot.sequence(), snapshot.state().length, location);
        return new TakenSnapshot(snapshot.info(""), entry);
    }

    /**
     * The open transaction: a Kafka transaction begun with its first staged record. Its last
     * staged entry is held back until the commit, which sends it as the transaction's signed
     * head: one signature per transaction, however many batches it stages.
     */
    private final class Transaction implements LedgerTransaction {
        private final List<LedgerEntry> entries = new ArrayList<>();
        private final List<Future<RecordMetadata>> sent = new ArrayList<>();
        /** The last entry staged, not sent yet. */
        private LedgerEntry head;
        private boolean begun;
        private boolean ended;

        @Override
        public List<LedgerEntry> stage(List<Event> events) throws LedgerWriteException {
            synchronized (KafkaLedgerWriter.this) {
                requireOpen();
                if (events.isEmpty()) {
                    return List.of();
                }
                LedgerEntry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
                List<LedgerEntry> sealed = seal(events, last == null ? lastSequence : last.sequence(),
                        last == null ? lastHash : last.hash());
                try {
                    if (!begun) {
                        producer.beginTransaction();
                        begun = true;
                    }
                    for (LedgerEntry entry : sealed) {
                        if (head != null) {
                            sent.add(producer.send(record(head)));
                        }
                        head = entry;
                    }
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    end();
                    throw fence(e);
                } catch (KafkaException e) {
                    end();
                    throw abort(e);
                }
                entries.addAll(sealed);
                return sealed;
            }
        }

        @Override
        public List<LedgerEntry> staged() {
            synchronized (KafkaLedgerWriter.this) {
                return List.copyOf(entries);
            }
        }

        @Override
        public List<LedgerEntry> commit() throws LedgerWriteException {
            return commit(List.of());
        }

        /** Commits, with records for other topics (the snapshot) in the same transaction. */
        List<LedgerEntry> commit(List<ProducerRecord<byte[], byte[]>> extras) throws LedgerWriteException {
            synchronized (KafkaLedgerWriter.this) {
                requireOpen();
                end();
                if (entries.isEmpty()) {
                    return List.of();
                }
                boolean committing = false;
                try {
                    sendHead();
                    for (ProducerRecord<byte[], byte[]> extra : extras) {
                        producer.send(extra);
                    }
                    Optional<String> moved = tailMoved(sent);
                    if (moved.isPresent()) {
                        throw tailMovedAbort(moved.get());
                    }
                    committing = true;
                    producer.commitTransaction();
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    throw fence(e);
                } catch (TimeoutException e) {
                    if (committing) {
                        pending = new Pending(entries, sent);
                        throw new LedgerWriteException("the commit of sequences " + entries.get(0).sequence() + ".."
                                + entries.get(entries.size() - 1).sequence() + " timed out; its outcome is not known yet "
                                + "and is settled before the next append", e);
                    }
                    throw abort(e);
                } catch (KafkaException e) {
                    throw abort(e);
                } catch (ExecutionException e) {
                    throw abort(e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw abort(new KafkaException("interrupted before the commit", e));
                } catch (LedgerFormatException e) {
                    throw abort(new KafkaException("cannot read the partition before the commit: " + e.getMessage(), e));
                }
                committed(entries, sent);
                return List.copyOf(entries);
            }
        }

        /** Signs the held last entry (it vouches for the transaction and all before it) and sends it last. */
        private void sendHead() {
            if (head == null) {
                return;
            }
            LedgerEntry signed = signingKey == null ? head : head.signedBy(signingKey);
            entries.set(entries.size() - 1, signed);
            sent.add(producer.send(record(signed)));
            head = null;
        }

        @Override
        public void close() {
            synchronized (KafkaLedgerWriter.this) {
                if (ended) {
                    return;
                }
                end();
                if (begun && producer != null && !fenced) {
                    abort(new KafkaException("the transaction was closed without a commit"));
                }
            }
        }

        private void requireOpen() throws LedgerWriteException {
            if (ended) {
                throw new IllegalStateException("this ledger transaction has ended");
            }
            requireUsable();
        }

        private void end() {
            ended = true;
            open = null;
        }
    }

    private List<LedgerEntry> seal(List<Event> events, long afterSequence, byte[] afterHash) {
        List<LedgerEntry> entries = new ArrayList<>(events.size());
        long sequence = afterSequence;
        byte[] prev = afterHash;
        Timestamp now = null;
        for (Event event : events) {
            Event.Builder builder = event.toBuilder().setSequence(++sequence).setPrevHash(ByteString.copyFrom(prev));
            if (!builder.hasTime()) {
                if (now == null) {
                    Instant instant = Instant.now();
                    now = Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
                }
                builder.setTime(now);
            }
            if (builder.getActor().isEmpty()) {
                builder.setActor(actor);
            }
            LedgerEntry entry = LedgerEntry.seal(builder.build());
            entries.add(entry);
            prev = entry.hash();
        }
        return entries;
    }

    private ProducerRecord<byte[], byte[]> record(LedgerEntry entry) {
        return record(ledger.config().eventsTopic(), entry.sequence(), entry.encode());
    }

    static ProducerRecord<byte[], byte[]> record(String topic, long sequence, byte[] sealed) {
        return new ProducerRecord<>(topic, 0, ByteBuffer.allocate(Long.BYTES).putLong(sequence).array(), sealed);
    }

    private void committed(List<LedgerEntry> entries, List<Future<RecordMetadata>> sent) {
        LedgerEntry last = entries.get(entries.size() - 1);
        lastSequence = last.sequence();
        lastHash = last.hash();
        try {
            lastOffset = sent.get(sent.size() - 1).get().offset();
            awaitVisible(lastOffset);
        } catch (ExecutionException e) {
            lastOffset = -1; // committed, so this cannot happen; the offset is only a hint
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ledger.database().ifPresent(db -> {
            try {
                db.append(entries);
            } catch (RuntimeException e) {
                // The batch is committed in Kafka; the journal catches up when a writer opens next.
                log.error("committed sequences up to {} but could not journal them: {}", lastSequence, e.getMessage(), e);
            }
        });
    }

    /** Waits until a read right after the append sees it (see {@link EventLog#awaitVisible}). */
    private void awaitVisible(long offset) throws InterruptedException {
        try {
            if (!ledger.events().awaitVisible(visibility(), offset, VISIBILITY_TIMEOUT)) {
                log.warn("sequence {} is committed but not yet visible to readers after {}", lastSequence, VISIBILITY_TIMEOUT);
            }
        } catch (KafkaException e) {
            log.warn("sequence {} is committed; could not check it is visible: {}", lastSequence, e.getMessage());
        }
    }

    private Consumer<byte[], byte[]> visibility() {
        if (visibility == null) {
            visibility = ledger.events().open();
        }
        return visibility;
    }

    /** Settles a pending commit and reopens a producer lost to an error, before any new transaction. */
    private void ready() throws LedgerWriteException {
        requireUsable();
        if (pending != null) {
            try {
                producer.commitTransaction();
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                pending = null;
                throw fence(e);
            } catch (TimeoutException e) {
                throw new LedgerWriteException("an earlier commit is still unsettled (Kafka unreachable)", e);
            } catch (KafkaException e) {
                pending = null;
                throw abort(e);
            }
            log.warn("the commit that timed out earlier went through: sequences {}..{} are in the ledger",
                    pending.entries.get(0).sequence(), pending.entries.get(pending.entries.size() - 1).sequence());
            committed(pending.entries, pending.sent);
            pending = null;
        }
        if (producer == null) {
            openProducer();
        }
    }

    private void requireUsable() throws LedgerWriteException {
        if (closed) {
            throw new LedgerWriteException("the ledger writer is closed", null);
        }
        if (fenced) {
            throw new LedgerFencedException("this ledger writer was fenced by a newer one", null);
        }
    }

    private LedgerWriteException abort(KafkaException cause) {
        try {
            producer.abortTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            return fence(e);
        } catch (KafkaException | IllegalStateException e) {
            // The producer is unusable; the next append opens a new one and re-reads the tail.
            log.warn("could not abort the ledger transaction ({}); reopening the producer", e.getMessage());
            closeProducer();
        }
        return new LedgerWriteException("append failed, nothing committed: " + cause.getMessage(), cause);
    }

    /** Aborts a transaction that must not commit, and reads the tail again for the next one. */
    private LedgerWriteException tailMovedAbort(String why) throws LedgerWriteException {
        LedgerWriteException aborted = abort(new KafkaException(why));
        if (aborted instanceof LedgerFencedException) {
            return aborted;
        }
        log.error("not committing sequences after {}: {}; aborted, and reading the tail again", lastSequence, why);
        if (producer != null) {
            syncWithLog();
        }
        return new LedgerWriteException("nothing committed: " + why + "; the ledger now ends at sequence "
                + lastSequence, null);
    }

    private LedgerFencedException fence(KafkaException cause) {
        fenced = true;
        closeProducer();
        log.warn("ledger writer '{}' fenced: a newer writer took over {}", actor, ledger.config().eventsTopic());
        return new LedgerFencedException("a newer writer took over the ledger; this one must stop: " + cause.getMessage(), cause);
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                log.debug("closing the ledger producer: {}", e.getMessage());
            }
            producer = null;
        }
    }

    public synchronized boolean fenced() {
        return fenced;
    }

    @Override
    public synchronized long lastSequence() {
        return lastSequence;
    }

    @Override
    public synchronized byte[] lastHash() {
        return lastHash.clone();
    }

    /** The Kafka offset of the last committed entry's record (-1 for an empty ledger). */
    public synchronized long lastOffset() {
        return lastOffset;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeProducer();
        if (visibility != null) {
            visibility.close();
            visibility = null;
        }
    }
}
