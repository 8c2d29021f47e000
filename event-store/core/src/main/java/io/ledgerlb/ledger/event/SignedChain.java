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

    /** An entry read, with its prev_hash copied out once (the event keeps it as a ByteString). */
    private record Node(LedgerEntry entry, long position, byte[] prevHash) {
        long sequence() {
            return entry.sequence();
        }
    }

    private TrustedKeys keys;
    private long tipSequence;
    private byte[] tipHash;
    private long tipPosition = -1;
    private long lastHeadSequence;
    private final Map<ByteBuffer, Node> pending = new HashMap<>();
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
        ByteBuffer id = ByteBuffer.wrap(entry.hash());
        Node copyOf = pending.get(id);
        if (copyOf != null) {
            pass(sequence, position, "a replayed copy of the entry read" + at(copyOf.position));
            return;
        }
        byte[] prevHash = entry.prevHash();
        long parentSequence;
        if (Arrays.equals(prevHash, tipHash)) {
            parentSequence = tipSequence;
        } else {
            Node parent = pending.get(ByteBuffer.wrap(prevHash));
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
        Node node = new Node(entry, position, prevHash);
        if (!keys.checked()) {
            advance(List.of(node));
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            pass(sequence, position, "not vouched for by a signed head within " + MAX_PENDING + " entries");
            return;
        }
        pending.put(id, node);
        if (entry.signed()) {
            heads.addLast(node);
        }
    }

    /** Takes a record that is not a ledger entry at all. */
    public void acceptUndecodable(LedgerFormatException error, long position) {
        // an undecodable record has no sequence of its own: name the one it stands in the place of
        pass(error.sequence() > 0 ? error.sequence() : tipSequence + pending.size() + 1, position,
                "not a ledger entry: " + error.getMessage());
    }

    /**
     * Verifies the newest signed head that links to the tip and returns the entries it vouches
     * for, in chain order (with unchecked keys: every entry accepted since the last call).
     */
    public List<Verified> settle() {
        while (!heads.isEmpty()) {
            Node head = heads.pollLast();
            if (head.sequence() <= tipSequence || !pending.containsKey(ByteBuffer.wrap(head.entry.hash()))) {
                continue;
            }
            List<Node> path = pathTo(head);
            if (path == null) {
                drop(head, "it no longer links to the verified chain");
                continue;
            }
            String refused = vouches(path);
            if (refused != null) {
                drop(head, refused);
                continue;
            }
            advance(path);
            heads.clear(); // every older head is at or before the new tip
            prune();
            break;
        }
        List<Verified> out = List.copyOf(verified);
        verified.clear();
        return out;
    }

    /** The entries from the tip to {@code head}, or null when a link is missing. */
    private List<Node> pathTo(Node head) {
        List<Node> path = new ArrayList<>();
        Node at = head;
        while (true) {
            path.add(at);
            if (Arrays.equals(at.prevHash, tipHash)) {
                break;
            }
            at = pending.get(ByteBuffer.wrap(at.prevHash));
            if (at == null) {
                return null;
            }
        }
        Collections.reverse(path);
        return path;
    }

    /**
     * Why the head at the end of {@code path} does not vouch for it, or null when it does. Key
     * rotations on the path must be heads signed by the key they retire; the keys after them
     * are remembered once the path is taken.
     */
    private String vouches(List<Node> path) {
        TrustedKeys in = keys;
        for (Node node : path) {
            LedgerEntry entry = node.entry;
            boolean last = node == path.get(path.size() - 1);
            if (entry.event().getBodyCase() == Event.BodyCase.SIGNING_KEY_ROTATED) {
                if (!entry.signatureValid(in)) {
                    return "the key rotation at sequence " + entry.sequence() + " is not signed by a trusted key";
                }
                try {
                    PublicKey next = TrustedKeys.publicKey(entry.event().getSigningKeyRotated().getNewPublicKey().toByteArray(),
                            "the key rotation at sequence " + entry.sequence());
                    in = in.rotated(entry.keyId(), next);
                } catch (IOException e) {
                    return e.getMessage();
                }
                if (last) {
                    rotatedKeys = in;
                    return null;
                }
            } else if (last) {
                String problem = signatureProblem(entry, in);
                if (problem != null) {
                    return problem;
                }
                rotatedKeys = in;
            }
        }
        return null;
    }

    private static String signatureProblem(LedgerEntry entry, TrustedKeys keys) {
        if (!keys.knows(entry.keyId())) {
            return "signed by a key that is not trusted (" + KeyId.shortHex(entry.keyId()) + ")";
        }
        if (!entry.signatureValid(keys)) {
            return "its signature does not verify with key " + KeyId.shortHex(entry.keyId());
        }
        return null;
    }

    /** The keys in effect after the path {@link #vouches} last approved. */
    private TrustedKeys rotatedKeys;

    private void advance(List<Node> path) {
        for (Node node : path) {
            pending.remove(ByteBuffer.wrap(node.entry.hash()));
            verified.add(new Verified(node.entry, node.position));
            if (node.entry.signed()) {
                lastHeadSequence = node.sequence();
            }
        }
        Node tip = path.get(path.size() - 1);
        tipSequence = tip.sequence();
        tipHash = tip.entry.hash();
        tipPosition = tip.position;
        if (rotatedKeys != null) {
            keys = rotatedKeys;
            rotatedKeys = null;
        }
    }

    /** Passes over what the new tip left out, and what hangs from it. */
    private void prune() {
        List<Node> waiting = new ArrayList<>(pending.values());
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
            } else if (Arrays.equals(node.prevHash, tipHash) || linked.contains(ByteBuffer.wrap(node.prevHash))) {
                linked.add(id);
            } else {
                drop(node, "hangs from an entry the signed head at sequence " + tipSequence + " left out");
            }
        }
    }

    private void drop(Node node, String reason) {
        pending.remove(ByteBuffer.wrap(node.entry.hash()));
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
        List<Node> waiting = new ArrayList<>(pending.values());
        waiting.sort(Comparator.comparingLong(Node::position));
        for (Node node : waiting) {
            drop(node, "not vouched for by any signed head (nothing signed follows it)");
        }
        heads.clear();
        return drainPassedOver();
    }

    /**
     * The longest chain of entries waiting from the tip, in order: an unsigned ledger's entries
     * that an adoption would vouch for.
     */
    public List<LedgerEntry> unsignedTail() {
        List<LedgerEntry> tail = new ArrayList<>();
        Map<ByteBuffer, Node> byPrev = new HashMap<>();
        for (Node node : pending.values()) {
            byPrev.putIfAbsent(ByteBuffer.wrap(node.prevHash), node);
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
        return pending.size();
    }

    public TrustedKeys keys() {
        return keys;
    }
}
