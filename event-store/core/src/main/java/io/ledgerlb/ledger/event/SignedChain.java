package io.ledgerlb.ledger.event;

import io.ledgerlb.events.v1.Event;
import io.ledgerlb.ledger.sign.KeyId;
import io.ledgerlb.ledger.sign.TrustedKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the ledger's true chain out of the records of its topic (or journal), in the order they
 * were read, whatever else was appended: the chain its signed heads vouch for. A signed head is
 * an entry whose hash a trusted key signed; through the chain of hashes it vouches for every
 * entry before it, as a Certificate Transparency tree head does. The writer signs at least the
 * last entry of every transaction, so a committed transaction is vouched for by its own records.
 *
 * <p>Records that hash right and link to the verified tip (or to one another) wait as
 * <em>pending</em>; {@link #settle} verifies the newest signed head among them (one Ed25519
 * check per call, whatever the number of entries it covers), and the entries on its path to the
 * tip become {@linkplain #settle() verified}, in order. Everything else is
 * {@linkplain #drainPassedOver() passed over} with the reason, and never applied: an altered
 * record, one that does not link, a replay (a copy of an entry already read), one signed by an
 * unknown key or with a bad signature, and unsigned entries a signed head left out (a forgery
 * beside the real entry at that sequence). A bad record stops nothing: the next real entry still
 * links to the tip. At most {@link #MAX_PENDING} entries wait for a head.
 *
 * <p>A {@code SigningKeyRotated} entry — itself a head signed by the key it retires — makes the
 * key it names the one that vouches for the heads after it. With {@link TrustedKeys#UNCHECKED}
 * (a ledger not adopted yet) entries are verified as soon as they continue the tip: hashes and
 * links only.
 */
public final class SignedChain {
    /** Entries that may wait for a signed head: a transaction of the allocator holds at most a few thousand. */
    public static final int MAX_PENDING = 200_000;

    /** A record never applied, and why. {@code position} is its offset (or journal row), -1 when unknown. */
    public record PassedOver(long sequence, long position, String reason) {
        @Override
        public String toString() {
            return "sequence " + sequence + (position >= 0 ? " (offset " + position + ")" : "") + ": " + reason;
        }
    }

    /** An entry on the verified chain, and where it was read. */
    public record Verified(LedgerEntry entry, long position) {}

    /**
     * A signed entry's signature checked ahead of the chain — on another thread, from the record's
     * bytes ({@link RecordCheck}), while the reader links and folds — with {@code keys}: why it
     * fails, or null when it verifies. The chain uses it only where {@code keys} are the very keys
     * in effect at that entry (no key rotation came in between), and checks again otherwise.
     */
    public record SignatureCheck(TrustedKeys keys, String problem) {
        /** The check of a signed entry, or null when there is nothing to check (unsigned, or keys unchecked). */
        public static SignatureCheck of(LedgerEntry entry, TrustedKeys keys) {
            return entry.signed() && keys.checked() ? new SignatureCheck(keys, signatureProblem(entry, keys)) : null;
        }
    }

    /**
     * An entry read, with its signature checked ahead (or null), and its prev_hash copied out once
     * (the event keeps it as a ByteString) where the entries are indexed by hash (null: not yet).
     */
    private record Node(LedgerEntry entry, long position, byte[] prevHashCopy, SignatureCheck checkedAhead) {
        byte[] prevHash() {
            return prevHashCopy != null ? prevHashCopy : entry.prevHash();
        }

        long sequence() {
            return entry.sequence();
        }
    }

    private TrustedKeys keys;
    private long tipSequence;
    private byte[] tipHash;
    private long tipPosition = -1;
    private long lastHeadSequence;
    // The entries waiting for a signed head nearly always form one path from the tip, in the order
    // read: they are kept in an array then, and indexed by hash only once something else comes
    // (a forgery beside a real entry, a replayed copy, a fork), until they form one path again.
    /** While the pending entries form one path from the tip ({@code byHash == null}): that path; entry i has sequence tip + 1 + i. */
    private final ArrayList<Node> path = new ArrayList<>();
    /** Every pending entry by hash, when they do not form one path; null while they do. */
    private Map<ByteBuffer, Node> byHash;
    private final Deque<Node> heads = new ArrayDeque<>();
    private final List<Verified> verified = new ArrayList<>();
    private final List<PassedOver> passedOver = new ArrayList<>();
    /** Entries left out although signed with a trusted key: two signed histories, a fork no reader can settle. */
    private final List<PassedOver> signedRivals = new ArrayList<>();
    /** Stored hashes of records passed over as altered, so that what follows them is blamed on them. */
    private final Map<ByteBuffer, Long> alteredHashes = new HashMap<>();

    /** From the start of the ledger. */
    public SignedChain(TrustedKeys keys) {
        this(keys, 0, HashChain.GENESIS);
    }

    /** After a known entry, e.g. the one a snapshot covers. */
    public SignedChain(TrustedKeys keys, long afterSequence, byte[] afterHash) {
        this.keys = keys;
        this.tipSequence = afterSequence;
        this.tipHash = afterHash.clone();
    }

    /** Takes the next record read; whatever it is, reading goes on. */
    public void accept(LedgerEntry entry, long position) {
        accept(entry, position, entry.hashValid());
    }

    /** As {@link #accept(LedgerEntry, long)}, with the entry's hash already checked (e.g. on another thread). */
    public void accept(LedgerEntry entry, long position, boolean hashValid) {
        accept(entry, position, hashValid, null);
    }

    /** As above, with the entry's signature checked ahead too ({@link SignatureCheck#of}, {@link RecordCheck}; null: not checked). */
    public void accept(LedgerEntry entry, long position, boolean hashValid, SignatureCheck checkedAhead) {
        long sequence = entry.sequence();
        if (!hashValid) {
            pass(sequence, position, "hash does not match the event's bytes (altered)");
            if (alteredHashes.size() < MAX_PENDING) {
                alteredHashes.put(ByteBuffer.wrap(entry.hash()), sequence);
            }
            return;
        }
        if (sequence <= tipSequence) {
            pass(sequence, position, "the verified chain is already at sequence " + tipSequence
                    + ": a replayed copy, or a forgery beside the real entry");
            return;
        }
        if (byHash == null && sequence == tipSequence + path.size() + 1 && entry.linksTo(pathEndHash())) {
            // continues the one path: no pending entry can be a copy of it (its copy would have to follow the path's end)
            take(new Node(entry, position, null, checkedAhead));
            return;
        }
        byte[] prevHash = entry.prevHash();
        if (byHash == null) {
            index();
        }
        ByteBuffer id = ByteBuffer.wrap(entry.hash());
        Node copyOf = byHash.get(id);
        if (copyOf != null) {
            pass(sequence, position, "a replayed copy of the entry read" + at(copyOf.position));
            return;
        }
        long parentSequence;
        if (Arrays.equals(prevHash, tipHash)) {
            parentSequence = tipSequence;
        } else {
            Node parent = byHash.get(ByteBuffer.wrap(prevHash));
            if (parent == null) {
                Long altered = alteredHashes.get(ByteBuffer.wrap(prevHash));
                pass(sequence, position, altered != null
                        ? "it follows the altered record at sequence " + altered + ", so nothing can vouch for it"
                        : "its prev_hash is the hash of no entry read since sequence " + tipSequence
                        + ": reordered, or cut from another chain");
                return;
            }
            parentSequence = parent.sequence();
        }
        if (sequence != parentSequence + 1) {
            pass(sequence, position, "expected sequence " + (parentSequence + 1) + " after its prev_hash's entry");
            return;
        }
        take(new Node(entry, position, prevHash, checkedAhead));
    }

    /** Verifies (unchecked keys) or keeps pending an entry that links to the tip or to a pending entry. */
    private void take(Node node) {
        if (!keys.checked()) {
            advance(List.of(node), keys);
            return;
        }
        if (pending() >= MAX_PENDING) {
            pass(node.sequence(), node.position, "not vouched for by a signed head within " + MAX_PENDING + " entries");
            return;
        }
        if (byHash == null) {
            path.add(node);
        } else {
            byHash.put(ByteBuffer.wrap(node.entry.hash()), node);
        }
        if (node.entry.signed()) {
            heads.addLast(node);
        }
    }

    private byte[] pathEndHash() {
        return path.isEmpty() ? tipHash : path.get(path.size() - 1).entry.hash();
    }

    /** Leaves the one-path form: indexes the pending entries by hash. */
    private void index() {
        byHash = new HashMap<>();
        for (Node node : path) {
            byHash.put(ByteBuffer.wrap(node.entry.hash()), node);
        }
        path.clear();
    }

    /** Back to the one-path form when the pending entries, in the order read, form one path from the tip again. */
    private void unindexIfOnePath() {
        List<Node> waiting = new ArrayList<>(byHash.values());
        waiting.sort(Comparator.comparingLong(Node::position).thenComparingLong(Node::sequence));
        byte[] at = tipHash;
        for (Node node : waiting) {
            if (!Arrays.equals(node.prevHash(), at)) {
                return;
            }
            at = node.entry.hash();
        }
        byHash = null;
        path.addAll(waiting);
    }

    /** Takes a record that is not a ledger entry at all. */
    public void acceptUndecodable(LedgerFormatException error, long position) {
        // an undecodable record has no sequence of its own: name the one it stands in the place of
        pass(error.sequence() > 0 ? error.sequence() : tipSequence + pending() + 1, position,
                "not a ledger entry: " + error.getMessage());
    }

    /**
     * Verifies the newest signed head that links to the tip — and every other signature on its
     * path, each head with the keys in effect at it, in parallel — and returns the entries the
     * heads vouch for, in chain order (with unchecked keys: every entry accepted since the last
     * call). Where a signature on the path fails, the chain goes as far as the last good head
     * before it, and the badly signed entry is passed over.
     */
    public List<Verified> settle() {
        boolean advanced = false;
        while (!heads.isEmpty()) {
            Node head = heads.pollLast();
            if (head.sequence() <= tipSequence || !isPending(head)) {
                continue;
            }
            List<Node> toHead = pathTo(head);
            if (toHead == null) {
                drop(head, "it no longer links to the verified chain");
                continue;
            }
            PathCheck check = check(toHead);
            if (check.vouched() > 0) {
                advance(toHead.subList(0, check.vouched()), check.keysAfter());
                advanced = true;
            }
            if (check.problem() == null) {
                heads.clear(); // every older head is at or before the new tip
                break;
            }
            drop(toHead.get(check.problemAt()), check.problem());
        }
        if (advanced) {
            prune();
        }
        if (byHash != null && byHash.isEmpty()) {
            byHash = null;
        }
        List<Verified> out = List.copyOf(verified);
        verified.clear();
        return out;
    }

    private boolean isPending(Node node) {
        if (byHash != null) {
            return byHash.get(ByteBuffer.wrap(node.entry.hash())) == node;
        }
        long at = node.sequence() - tipSequence - 1;
        return at < path.size() && path.get((int) at) == node;
    }

    /** The entries from the tip to {@code head}, or null when a link is missing. */
    private List<Node> pathTo(Node head) {
        if (byHash == null) {
            return new ArrayList<>(path.subList(0, (int) (head.sequence() - tipSequence)));
        }
        List<Node> toHead = new ArrayList<>();
        Node at = head;
        while (true) {
            toHead.add(at);
            if (Arrays.equals(at.prevHash(), tipHash)) {
                break;
            }
            at = byHash.get(ByteBuffer.wrap(at.prevHash()));
            if (at == null) {
                return null;
            }
        }
        Collections.reverse(toHead);
        return toHead;
    }

    /**
     * What the signatures on a path vouch for: its first {@code vouched} entries (ending at a good
     * head), the keys in effect after them, and the first entry whose signature fails (or null).
     */
    private record PathCheck(int vouched, TrustedKeys keysAfter, String problem, int problemAt) {}

    /** A signature to check: the entry at {@code at} on the path, with the keys in effect there. */
    private record Signed(int at, LedgerEntry entry, TrustedKeys keys, SignatureCheck checkedAhead) {
        /** The check made ahead, when made with these very keys; else null. */
        SignatureCheck checkedAheadWithTheseKeys() {
            return checkedAhead != null && checkedAhead.keys() == keys ? checkedAhead : null;
        }
    }

    /**
     * Checks every signature on {@code toHead}. Key rotations on it must be signed by the key
     * they retire; the heads after one are checked with the key it names. The walk that finds
     * which keys apply where is in order and cheap; the Ed25519 checks, each independent of the
     * others once its keys are known, run in parallel.
     */
    private PathCheck check(List<Node> toHead) {
        List<Signed> signed = new ArrayList<>();
        List<TrustedKeys> keysAfter = new ArrayList<>();
        TrustedKeys in = keys;
        int problemAt = -1;
        String problem = null;
        for (int i = 0; i < toHead.size() && problem == null; i++) {
            Node node = toHead.get(i);
            LedgerEntry entry = node.entry;
            if (entry.event().getBodyCase() == Event.BodyCase.SIGNING_KEY_ROTATED) {
                if (!entry.signed()) {
                    problem = "the key rotation at sequence " + entry.sequence() + " is not signed by a trusted key";
                    problemAt = i;
                    break;
                }
                signed.add(new Signed(i, entry, in, node.checkedAhead));
                try {
                    PublicKey next = TrustedKeys.publicKey(entry.event().getSigningKeyRotated().getNewPublicKey().toByteArray(),
                            "the key rotation at sequence " + entry.sequence());
                    in = in.rotated(entry.keyId(), next);
                } catch (IOException e) {
                    problem = e.getMessage();
                    problemAt = i;
                }
                keysAfter.add(in);
            } else if (entry.signed()) {
                signed.add(new Signed(i, entry, in, node.checkedAhead));
                keysAfter.add(in);
            }
        }
        String[] problems = signatureProblems(signed);
        int vouched = 0;
        TrustedKeys after = keys;
        for (int k = 0; k < signed.size(); k++) {
            Signed head = signed.get(k);
            if (problem != null && head.at() >= problemAt) {
                break;
            }
            if (problems[k] != null) {
                problem = head.entry().event().getBodyCase() == Event.BodyCase.SIGNING_KEY_ROTATED
                        ? "the key rotation at sequence " + head.entry().sequence() + " is not signed by a trusted key"
                        : problems[k];
                problemAt = head.at();
                break;
            }
            vouched = head.at() + 1;
            after = keysAfter.get(k);
        }
        return new PathCheck(vouched, after, problem, problemAt);
    }

    /** Below this many signatures on one path, checking them one after the other costs less than sharing them out. */
    private static final int PARALLEL_FROM = 2;

    /** Why each signature fails (null where it verifies): as checked ahead, or checked now. */
    private static String[] signatureProblems(List<Signed> signed) {
        String[] problems = new String[signed.size()];
        List<Integer> toCheck = new ArrayList<>();
        for (int k = 0; k < signed.size(); k++) {
            SignatureCheck ahead = signed.get(k).checkedAheadWithTheseKeys();
            if (ahead != null) {
                problems[k] = ahead.problem();
            } else {
                toCheck.add(k);
            }
        }
        (toCheck.size() >= PARALLEL_FROM ? toCheck.parallelStream() : toCheck.stream())
                .forEach(k -> problems[k] = signatureProblem(signed.get(k).entry(), signed.get(k).keys()));
        return problems;
    }

    private static String signatureProblem(LedgerEntry entry, TrustedKeys keys) {
        return signatureProblem(entry.keyId(), entry.hash(), entry.signature(), keys);
    }

    /** Why a signature of {@code hash} by the key {@code keyId} does not vouch for it with {@code keys}; null when it does. */
    static String signatureProblem(byte[] keyId, byte[] hash, byte[] signature, TrustedKeys keys) {
        if (!keys.knows(keyId)) {
            return "signed by a key that is not trusted (" + KeyId.shortHex(keyId) + ")";
        }
        if (signature.length == 0 || !keys.verify(keyId, hash, signature)) {
            return "its signature does not verify with key " + KeyId.shortHex(keyId);
        }
        return null;
    }

    /** Moves {@code nodes} — the start of the pending path, or one entry with unchecked keys — to the verified chain. */
    private void advance(List<Node> nodes, TrustedKeys keysAfter) {
        if (byHash == null) {
            path.subList(0, Math.min(path.size(), nodes.size())).clear();
        }
        for (Node node : nodes) {
            if (byHash != null) {
                byHash.remove(ByteBuffer.wrap(node.entry.hash()));
            }
            verified.add(new Verified(node.entry, node.position));
            if (node.entry.signed()) {
                lastHeadSequence = node.sequence();
            }
        }
        Node tip = nodes.get(nodes.size() - 1);
        tipSequence = tip.sequence();
        tipHash = tip.entry.hash();
        tipPosition = tip.position;
        keys = keysAfter;
    }

    /** Passes over what the new tip left out, and what hangs from it. */
    private void prune() {
        if (byHash == null) {
            return; // the rest of the one path continues the new tip
        }
        List<Node> waiting = new ArrayList<>(byHash.values());
        waiting.sort(Comparator.comparingLong(Node::position).thenComparingLong(Node::sequence));
        Set<ByteBuffer> linked = new HashSet<>();
        for (Node node : waiting) {
            ByteBuffer id = ByteBuffer.wrap(node.entry.hash());
            if (node.sequence() <= tipSequence) {
                String signature = node.entry.signed() ? signatureProblem(node.entry, keys) : null;
                if (node.entry.signed() && signature == null) {
                    signedRivals.add(new PassedOver(node.sequence(), node.position, "signed with a trusted key, yet left "
                            + "out of the chain the signed head at sequence " + tipSequence + " vouches for: a fork"));
                }
                drop(node, (signature != null ? signature + "; " : "") + "left out of the chain the signed head at sequence "
                        + tipSequence + " vouches for: a forgery beside the real entry");
            } else if (Arrays.equals(node.prevHash(), tipHash) || linked.contains(ByteBuffer.wrap(node.prevHash()))) {
                linked.add(id);
            } else {
                drop(node, "hangs from an entry the signed head at sequence " + tipSequence + " left out");
            }
        }
        unindexIfOnePath();
    }

    private void drop(Node node, String reason) {
        if (byHash == null) {
            index();
        }
        byHash.remove(ByteBuffer.wrap(node.entry.hash()));
        pass(node.sequence(), node.position, reason);
    }

    private void pass(long sequence, long position, String reason) {
        passedOver.add(new PassedOver(sequence, position, reason));
    }

    private static String at(long position) {
        return position >= 0 ? " at offset " + position : " before";
    }

    /**
     * Signed heads left out of the chain although their signature verifies with a trusted key: the
     * key signed two entries at one sequence (a killed writer's late transaction beside its
     * successor's), a fork that only an operator can settle. Replayed copies of chain entries are
     * not among them.
     */
    public List<PassedOver> signedRivals() {
        return List.copyOf(signedRivals);
    }

    /** The records passed over since the last call, in the order they were found out. */
    public List<PassedOver> drainPassedOver() {
        List<PassedOver> out = List.copyOf(passedOver);
        passedOver.clear();
        return out;
    }

    /**
     * Passes over what still waits for a signed head — at the end of a bounded read, where none
     * will come — and returns it, after settling.
     */
    public List<PassedOver> endOfRead() {
        List<Node> waiting = new ArrayList<>(byHash == null ? path : byHash.values());
        waiting.sort(Comparator.comparingLong(Node::position));
        for (Node node : waiting) {
            pass(node.sequence(), node.position, "not vouched for by any signed head (nothing signed follows it)");
        }
        path.clear();
        byHash = null;
        heads.clear();
        return drainPassedOver();
    }

    /**
     * The longest chain of entries waiting from the tip, in order: an unsigned ledger's entries
     * that an adoption would vouch for.
     */
    public List<LedgerEntry> unsignedTail() {
        List<LedgerEntry> tail = new ArrayList<>();
        if (byHash == null) {
            path.forEach(node -> tail.add(node.entry));
            return tail;
        }
        Map<ByteBuffer, Node> byPrev = new HashMap<>();
        for (Node node : byHash.values()) {
            byPrev.putIfAbsent(ByteBuffer.wrap(node.prevHash()), node);
        }
        byte[] at = tipHash;
        for (Node next = byPrev.get(ByteBuffer.wrap(at)); next != null; next = byPrev.get(ByteBuffer.wrap(at))) {
            tail.add(next.entry);
            at = next.entry.hash();
        }
        return tail;
    }

    public long tipSequence() {
        return tipSequence;
    }

    public byte[] tipHash() {
        return tipHash.clone();
    }

    /** Where the tip was read; -1 when not read here (e.g. it came from a snapshot). */
    public long tipPosition() {
        return tipPosition;
    }

    /**
     * The sequence of the last signed head verified here, 0 when none (with unchecked keys: of the
     * last entry that carried a signature, unverified).
     */
    public long lastHeadSequence() {
        return lastHeadSequence;
    }

    public int pending() {
        return byHash == null ? path.size() : byHash.size();
    }

    public TrustedKeys keys() {
        return keys;
    }
}
