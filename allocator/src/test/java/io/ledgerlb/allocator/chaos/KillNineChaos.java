package io.ledgerlb.allocator.chaos;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ledgerlb.allocator.k8s.adapter.MetalLbKinds;
import io.ledgerlb.ledger.ChainReport;
import io.ledgerlb.ledger.LedgerConfig;
import io.ledgerlb.ledger.Progress;
import io.ledgerlb.ledger.kafka.BrokerCredentials;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import io.ledgerlb.ledger.sign.SigningKey;
import io.ledgerlb.ledger.sign.TrustedKeys;
import io.ledgerlb.ledger.state.LedgerState;
import io.ledgerlb.ledger.state.ServiceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code kill -9} of a real allocator process (embedded Kafka, SQLite, the local Kubernetes API
 * keeping its objects in the data folder) at random moments while Services are created and
 * deleted through its API, then a restart on the same folder; counts what must never happen.
 * Used by {@code KillNineChaosTest} (a short pass) and by the bench's long run.
 */
public final class KillNineChaos {
    /** What a run counted. */
    public record Figures(int kills, int servicesCreated, int servicesDeleted, long ledgerEntries, int forks,
                          int acknowledgedLost, int ipsHeldTwice, int ipsChangedAcrossRestart,
                          List<String> brokerKills, List<String> problems, List<String> hangingAborted,
                          String speaker, List<String> speakerBehind) {
        @Override
        public String toString() {
            return "kills=" + kills + " services created=" + servicesCreated + " deleted=" + servicesDeleted
                    + " ledger entries=" + ledgerEntries + " forks=" + forks + " acknowledged decisions lost="
                    + acknowledgedLost + " IPs held twice=" + ipsHeldTwice + " IPs changed across a restart="
                    + ipsChangedAcrossRestart + (brokerKills.isEmpty() ? "" : " broker kills=" + brokerKills)
                    + (problems.isEmpty() ? "" : " problems=" + problems)
                    + " hanging transactions aborted=" + hangingAborted.size() + "; speaker: " + speaker;
        }
    }

    private static final Duration RECONCILED_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(20);
    /** The allocator's {@code --ledger-stale-after-ms} on the three-node cluster. */
    private static final Duration STALE_AFTER = Duration.ofSeconds(5);
    /** What /readyz may take beyond that bound to turn: the 1 s check, the probe, the HTTP sample. */
    private static final Duration READYZ_SLACK = Duration.ofSeconds(3);
    /**
     * The speaker's {@code --ledger-stale-after-ms}: while Kafka does not answer, its {@code /readyz}
     * must turn false within this and {@link #READYZ_SLACK} (its check every quarter of the bound,
     * the probe, the HTTP sample), and stay false until Kafka is back.
     */
    private static final Duration SPEAKER_STALE_AFTER = Duration.ofSeconds(5);

    private final Path dataDir;
    /** The external Kafka the allocator writes to, whose events leader is killed once; null for the embedded broker. */
    private final KafkaCluster cluster;
    private final Random random;
    /** Every (Service, IP) the API showed in a Service's status: decisions acknowledged to the user. */
    private final Map<String, Set<String>> shown = new ConcurrentHashMap<>();
    /** Services created and not deleted (as the API acknowledged). */
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    /** The IP each Service's status showed last. */
    private final Map<String, String> lastShown = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger names = new java.util.concurrent.atomic.AtomicInteger();
    private final List<String> problems = new ArrayList<>();
    private final List<String> brokerKills = new ArrayList<>();
    /**
     * Each stretch in which the speaker's Kafka was down, in nanoTime: from the kill, certainly down
     * until the restart began, back once the restart returned.
     */
    private record Outage(long from, long downUntil, long back, long speakerStoppedAt) {
        /** Whether a sample is the speaker's own answer, not a request it could not answer while stopped (SIGSTOP). */
        boolean answered(ReadyzWatch.Sample sample) {
            return speakerStoppedAt == 0 || sample.at() < speakerStoppedAt;
        }
    }

    private final List<Outage> kafkaDown = new ArrayList<>();
    /** The speaker's view once the churn is over (ready, at the allocator's sequence), checked against the ledger. */
    private Map<String, String> speakerView = Map.of();
    private long speakerSequence = -1;
    private SpeakerProcess speaker;
    /** When the speaker was stopped (SIGSTOP) last. */
    private long speakerStoppedAt;
    /** What the speaker did after standing still while the ledger went on: one note per drill. */
    private final List<String> speakerBehind = new ArrayList<>();
    private ReadyzWatch speakerReadyz;
    /** With the embedded broker: whether its port accepts a connection, sampled as /readyz is (before it does, Kafka is surely down). */
    private ReadyzWatch embeddedBrokerPort;
    /** Wall time the speaker added to the run: its start, and the wait for it at the end. */
    private long speakerWaitNanos;
    private double speakerCpuSeconds;
    private int created;
    private int deleted;

    public KillNineChaos(Path dataDir, long seed) {
        this(dataDir, seed, null);
    }

    /**
     * The allocator writes to {@code cluster} ({@code --kafka-bootstrap}) instead of its embedded
     * broker; halfway through, the node leading the events partition is killed too and restarted.
     */
    public KillNineChaos(Path dataDir, long seed, KafkaCluster cluster) {
        this.dataDir = dataDir;
        this.cluster = cluster;
        this.random = new Random(seed);
    }

    public Figures run(int kills) throws Exception {
        int changed = 0;
        int twice = 0;
        try (AllocatorProcess allocator = cluster == null ? new AllocatorProcess(dataDir)
                : new AllocatorProcess(dataDir, List.of("--kafka-bootstrap", cluster.bootstrapServers(),
                        "--signing-key", signingKeyFile().toString(),
                        "--ledger-stale-after-ms", String.valueOf(STALE_AFTER.toMillis())))) {
            allocator.start();
            try (KubernetesClient kube = allocator.kubernetes()) {
                pool(kube);
            }
            long speakerStarting = System.nanoTime();
            // the embedded broker authenticates its readers with the settings in the allocator's data folder
            List<String> kafkaSettings = cluster == null ? List.of("--kafka-properties-file",
                    dataDir.resolve(BrokerCredentials.READER_FILE_NAME).toString()) : List.of();
            speaker = new SpeakerProcess(dataDir.resolveSibling("speaker"), kafkaBootstrap(), kafkaSettings, trustedKeysFile(),
                    SPEAKER_STALE_AFTER).start();
            speakerWaitNanos += System.nanoTime() - speakerStarting;
            speakerReadyz = new ReadyzWatch(speaker::ready);
            if (cluster == null) {
                java.net.InetSocketAddress broker = brokerAddress();
                embeddedBrokerPort = new ReadyzWatch(() -> accepts(broker));
            }
            for (int round = 1; round <= kills; round++) {
                // once with the embedded broker: the speaker stands still through a round, so it is behind when Kafka is back
                boolean drill = cluster == null && round == (kills + 1) / 2;
                long speakerFoldedBefore = drill ? stopSpeaker() : -1;
                AtomicBoolean churning = new AtomicBoolean(true);
                Thread churn = new Thread(() -> churn(allocator, churning), "chaos-churn");
                churn.setDaemon(true);
                churn.start();
                Thread.sleep(500 + random.nextInt(3_000));
                if (cluster != null && round == (kills + 1) / 2) {
                    killTheEventsLeader(allocator, round);
                }
                if (cluster != null && round == (kills + 1) / 2 + 1) {
                    killEveryNode(allocator, round);
                }
                if (drill) {
                    awaitWrittenPast(allocator, speakerFoldedBefore);
                }
                long killed = System.nanoTime();
                allocator.kill9();
                churning.set(false);
                churn.join(LIST_TIMEOUT.toMillis()); // a request left without an answer by the kill must not hold the run
                churn.interrupt();
                Map<String, String> before = new HashMap<>(lastShown);
                allocator.start();
                if (cluster == null) { // the broker was in the killed process: down until its port accepted again
                    long back = embeddedBrokerPort.first(true, killed).map(ReadyzWatch.Sample::at).orElse(System.nanoTime());
                    kafkaDown.add(new Outage(killed, back, back, drill ? speakerStoppedAt : 0));
                }
                Map<String, String> after = awaitReconciled(allocator);
                if (drill) {
                    speakerCatchesUp(allocator, round, speakerFoldedBefore);
                }
                for (Map.Entry<String, String> e : before.entrySet()) {
                    String now = after.get(e.getKey());
                    if (now != null && !now.equals(e.getValue())) {
                        changed++;
                        problems.add("round " + round + ": " + e.getKey() + " moved from " + e.getValue() + " to " + now);
                    }
                }
                twice += heldTwice(after, "round " + round);
                lastShown.putAll(after);
                System.out.printf("chaos round %d: killed at %s; %d Services live, %d created, %d deleted; "
                        + "moved so far %d, held twice so far %d%n", round, java.time.Instant.now(), after.size(),
                        created, deleted, changed, twice);
            }
            long waiting = System.nanoTime();
            speakerAtTheEnd(allocator);
            speakerWaitNanos += System.nanoTime() - waiting;
        } finally {
            if (speakerReadyz != null) {
                speakerReadyz.close();
            }
            if (embeddedBrokerPort != null) {
                embeddedBrokerPort.close();
            }
            if (speaker != null) {
                speakerCpuSeconds = speaker.cpuSeconds();
                speaker.close();
            }
        }
        return check(kills, changed, twice);
    }

    /** Where the speaker finds the ledger: the three nodes, or the allocator's embedded broker on its kept port. */
    private String kafkaBootstrap() throws java.io.IOException {
        if (cluster != null) {
            return cluster.bootstrapServers();
        }
        java.net.InetSocketAddress broker = brokerAddress();
        return broker.getHostString() + ":" + broker.getPort();
    }

    private java.net.InetSocketAddress brokerAddress() throws java.io.IOException {
        java.util.Properties ports = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(dataDir.resolve(KafkaLedger.EMBEDDED_PORTS_FILE))) {
            ports.load(in);
        }
        return new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(ports.getProperty("broker.port")));
    }

    private static boolean accepts(java.net.InetSocketAddress address) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(address, 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The public key the allocator signs with, which the speaker trusts. */
    private Path trustedKeysFile() {
        Path key = cluster != null ? signingKeyFile() : dataDir.resolve(LedgerConfig.SIGNING_KEY_FILE_NAME);
        return key.resolveSibling(key.getFileName() + ".pub");
    }

    private void speakerAtTheEnd(AllocatorProcess allocator) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long folded = -1;
        long written = -2;
        while (System.nanoTime() < deadline) {
            written = allocator.metric("ledgerlb_allocator_ledger_sequence");
            folded = speaker.foldedSequence();
            if (folded == written && speaker.ready()) {
                speakerSequence = folded;
                speakerView = speaker.announced();
                return;
            }
            Thread.sleep(200);
        }
        problems.add("speaker: not ready at the allocator's sequence within 60 s of the last round (folded " + folded
                + ", allocator at " + written + "; see " + speaker.log() + ")");
    }

    /**
     * The speaker through each stretch its Kafka was down, from its watched {@code /readyz}: false
     * within the bound once the stretch is longer, never 200 from then until Kafka is back; and
     * how long after the return it was ready again.
     */
    private String speakerThroughOutages() {
        long bound = SPEAKER_STALE_AFTER.plus(READYZ_SLACK).toNanos();
        List<Long> falseAfter = new ArrayList<>();
        List<Long> readyAgainAfter = new ArrayList<>();
        int longer = 0;
        for (int i = 0; i < kafkaDown.size(); i++) {
            Outage down = kafkaDown.get(i);
            long from = down.from();
            long to = down.downUntil();
            long nextKill = i + 1 < kafkaDown.size() ? kafkaDown.get(i + 1).from() : Long.MAX_VALUE;
            // the broker may still not answer for a while after its port opens: the turn counts until the next outage
            java.util.Optional<ReadyzWatch.Sample> notReady = speakerReadyz.first(false, from)
                    .filter(sample -> sample.at() < nextKill);
            boolean longerThanTheBound = to - from > bound;
            if (longerThanTheBound) {
                longer++;
            }
            if (notReady.isPresent() && !down.answered(notReady.get())) {
                continue; // stopped before it turned false by itself: speakerCatchesUp checks this outage
            }
            notReady.ifPresent(sample -> {
                falseAfter.add(TimeUnit.NANOSECONDS.toMillis(sample.at() - from));
                speakerReadyz.first(true, Math.max(sample.at(), down.back()))
                        .filter(ready -> down.speakerStoppedAt() == 0) // its return is timed by speakerCatchesUp
                        .ifPresent(ready -> readyAgainAfter.add(TimeUnit.NANOSECONDS.toMillis(ready.at() - down.back())));
            });
            if (!longerThanTheBound) {
                continue;
            }
            String stretch = String.format("Kafka down for %.1f s", (to - from) / 1e9);
            if (notReady.isEmpty() || notReady.get().at() > from + bound) {
                problems.add("speaker: /readyz did not turn false within " + SPEAKER_STALE_AFTER.plus(READYZ_SLACK) + " (" + stretch + ")");
            }
            long readyWhileDown = speakerReadyz.between(Math.min(from + bound, notReady.map(ReadyzWatch.Sample::at).orElse(to)), to)
                    .stream().filter(ReadyzWatch.Sample::ready).count();
            if (readyWhileDown > 0) {
                problems.add("speaker: /readyz answered 200 " + readyWhileDown + " times past the bound while Kafka was down (" + stretch + ")");
            }
        }
        return String.format("%d Kafka outages (%d longer than the %d s bound); /readyz false after %s ms; ready again %s ms after"
                        + " Kafka's return (embedded: its port open again); view at sequence %d: %d IPs; the speaker added %.1f s of"
                        + " waiting to the run and used %.1f s of CPU; behind when Kafka was back: %s",
                kafkaDown.size(), longer, SPEAKER_STALE_AFTER.plus(READYZ_SLACK).toSeconds(), falseAfter, readyAgainAfter,
                speakerSequence, speakerView.size(), speakerWaitNanos / 1e9, speakerCpuSeconds, speakerBehind);
    }

    /** SIGSTOP of the speaker, so that entries are written while it stands behind; returns the sequence it had folded. */
    private long stopSpeaker() throws Exception {
        long folded = speaker.foldedSequence();
        speaker.pause();
        speakerStoppedAt = System.nanoTime();
        return folded;
    }

    /** Waits (churn going on) until the ledger holds entries past {@code sequence}, for at most a minute. */
    private long awaitWrittenPast(AllocatorProcess allocator, long sequence) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        long end = ledgerEnd(allocator);
        while (end <= sequence && System.nanoTime() < deadline) {
            Thread.sleep(200);
            end = ledgerEnd(allocator);
        }
        return end;
    }

    /**
     * Kafka is back and the allocator writes again; the speaker, stopped since before (longer than
     * its bound, so what it confirmed before is stale), is continued once the ledger holds entries
     * it has not folded. From then {@code /readyz} and its sequence are asked in turn: at the first
     * 200, the sequence (asked after it) must have reached the ledger's end as found just before the
     * speaker went on, the entries written while it stood still included. A speaker ready while
     * behind fails this unless it caught up in the milliseconds between the two requests.
     */
    private String speakerCatchesUp(AllocatorProcess allocator, int round, long foldedBefore) throws Exception {
        long end = awaitWrittenPast(allocator, foldedBefore);
        long stale = SPEAKER_STALE_AFTER.plus(READYZ_SLACK).toNanos();
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(stale - (System.nanoTime() - speakerStoppedAt))));
        end = Math.max(end, ledgerEnd(allocator));
        double stoppedFor = (System.nanoTime() - speakerStoppedAt) / 1e9;
        speaker.resume();
        long resumed = System.nanoTime();
        long deadline = resumed + TimeUnit.MINUTES.toNanos(3);
        String note;
        while (true) {
            boolean ready = speaker.ready();
            long folded = speaker.foldedSequence();
            if (ready) {
                note = String.format("speaker stopped for %.1f s at sequence %d, the ledger at %d when it went on; ready %d ms"
                        + " later at sequence %d", stoppedFor, foldedBefore, end, (System.nanoTime() - resumed) / 1_000_000, folded);
                if (folded < end) {
                    problems.add("round " + round + ": " + note + ": ready before it had folded the ledger's end");
                }
                break;
            }
            if (System.nanoTime() > deadline) {
                note = String.format("speaker stopped for %.1f s at sequence %d, the ledger at %d when it went on; not ready"
                        + " within 3 minutes (folded %d)", stoppedFor, foldedBefore, end, folded);
                problems.add("round " + round + ": " + note);
                break;
            }
            Thread.sleep(50);
        }
        if (end <= foldedBefore) {
            problems.add("round " + round + ": " + note + ": nothing was written while it stood still, so nothing was checked");
        }
        speakerBehind.add("round " + round + ": " + note);
        System.out.println("chaos speaker behind: round " + round + ": " + note);
        return note;
    }

    /** The ledger's end: what the allocator folded; with the three nodes, at least what a reader of its own finds. */
    private long ledgerEnd(AllocatorProcess allocator) throws Exception {
        long folded = allocator.metric("ledgerlb_allocator_ledger_sequence");
        return cluster == null ? folded : Math.max(folded, lastCommittedSequence());
    }

    private Path signingKeyFile() {
        Path file = dataDir.resolveSibling("ledger-signing-key.pem");
        SigningKey.loadOrGenerate(file);
        return file;
    }

    /**
     * {@code kill -9} of the Kafka node leading the events partition while the churn goes on, its
     * restart a few seconds later, and the wait until it is back in sync; notes what happened.
     */
    private void killTheEventsLeader(AllocatorProcess allocator, int round) throws Exception {
        String topic = LedgerConfig.DEFAULT_EVENTS_TOPIC;
        String replication = cluster.replicationOf(topic);
        int leader = cluster.leaderOf(topic);
        int createdBefore = created;
        ReadyzWatch readyz = new ReadyzWatch(allocator::ready);
        long killed = System.nanoTime();
        cluster.kill9(leader);
        int newLeader = -1;
        while ((newLeader == -1 || newLeader == leader) && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(60)) {
            try {
                newLeader = cluster.leaderOf(topic);
            } catch (Exception notYet) {
                newLeader = -1;
            }
            Thread.sleep(100);
        }
        long elected = System.nanoTime() - killed;
        Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(5) - TimeUnit.NANOSECONDS.toMillis(elected)));
        int createdWhileDown = created - createdBefore;
        long restarting = System.nanoTime();
        String whileDown = readyz.summary(killed, restarting);
        cluster.restart(leader);
        List<Integer> isr = cluster.inSyncReplicasOf(topic);
        while (isr.size() < 3 && System.nanoTime() - killed < TimeUnit.MINUTES.toNanos(3)) {
            Thread.sleep(200);
            isr = cluster.inSyncReplicasOf(topic);
        }
        // two nodes of three keep the ledger writable (min ISR 2): ready again, at the latest, within the bound
        long synced = System.nanoTime();
        java.util.Optional<ReadyzWatch.Sample> readyAgain = readyz.awaitReady(synced, (STALE_AFTER.plus(READYZ_SLACK)).toNanos());
        readyz.close();
        String note = String.format("round %d: topic %s; killed node %d (events leader); new leader %d after %d ms; "
                        + "with it down: %s; Services created through the API meanwhile: %d; node restarted, ISR %s %.1f s after the kill; "
                        + "from the kill until ready in sync: %s",
                round, replication, leader, newLeader, TimeUnit.NANOSECONDS.toMillis(elected), whileDown,
                createdWhileDown, isr, (synced - killed) / 1e9, readyz.summary(killed, readyAgain.map(ReadyzWatch.Sample::at)
                        .orElse(System.nanoTime())));
        brokerKills.add(note);
        if (readyAgain.isEmpty()) {
            problems.add(note + ": /readyz not 200 within " + STALE_AFTER.plus(READYZ_SLACK) + " once the node was back in sync");
        }
        System.out.println("chaos broker kill: " + note);
        if (newLeader == -1 || newLeader == leader) {
            problems.add(note + ": no other leader within 60 s");
        }
        if (isr.size() < 3) {
            problems.add(note + ": the restarted node did not get back in sync within 3 minutes");
        }
    }

    /**
     * {@code kill -9} of all three Kafka nodes during the churn, for the bound and 10 s more, then
     * their restart, with {@code /readyz} watched throughout: it must turn false within the bound
     * (and a little slack), stay false while the cluster is down, and turn true again only once the
     * leader's state is at the ledger's end. The speaker, once its {@code /readyz} has turned false,
     * stands still until the allocator writes again ({@link #speakerCatchesUp}).
     */
    private void killEveryNode(AllocatorProcess allocator, int round) throws Exception {
        try (ReadyzWatch readyz = new ReadyzWatch(allocator::ready)) {
            long killed = System.nanoTime();
            cluster.kill9All();
            // once its /readyz has turned false (or should have), the speaker stands still until the allocator writes again
            speakerReadyz.awaitFalse(killed, SPEAKER_STALE_AFTER.plus(READYZ_SLACK).toNanos());
            long speakerFoldedBefore = stopSpeaker();
            Thread.sleep(Math.max(0, STALE_AFTER.plusSeconds(10).toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)));
            long restarting = System.nanoTime();
            cluster.restartAll();
            long up = System.nanoTime();
            kafkaDown.add(new Outage(killed, restarting, up, speakerStoppedAt));
            java.util.Optional<ReadyzWatch.Sample> notReady = readyz.first(false, killed);
            java.util.Optional<ReadyzWatch.Sample> readyAgain = readyz.awaitReady(up, TimeUnit.MINUTES.toNanos(3));
            String caughtUp = readyAgain.isPresent() ? caughtUp(allocator) : "never ready";
            String speakerNote = String.format("speaker /readyz false %s after the kill; %s",
                    speakerReadyz.first(false, killed).map(s -> (s.at() - killed) / 1_000_000 + " ms").orElse("never"),
                    speakerCatchesUp(allocator, round, speakerFoldedBefore));
            String note = String.format("round %d: all three nodes killed for %.1f s, back after %.1f s more; /readyz false %s after"
                            + " the kill, true again %s after the cluster was back (%s); down: %s; after: %s; %s",
                    round, (restarting - killed) / 1e9, (up - restarting) / 1e9,
                    notReady.map(s -> (s.at() - killed) / 1_000_000 + " ms").orElse("never"),
                    readyAgain.map(s -> (s.at() - up) / 1_000_000 + " ms").orElse("never"), caughtUp,
                    readyz.summary(killed, restarting), readyz.summary(up, readyAgain.map(ReadyzWatch.Sample::at).orElse(up)),
                    speakerNote);
            brokerKills.add(note);
            System.out.println("chaos broker kill: " + note);
            long bound = killed + STALE_AFTER.plus(READYZ_SLACK).toNanos();
            if (notReady.isEmpty() || notReady.get().at() > bound) {
                problems.add(note + ": /readyz did not turn false within " + STALE_AFTER.plus(READYZ_SLACK));
            }
            long readyWhileDown = readyz.between(notReady.map(ReadyzWatch.Sample::at).orElse(killed), restarting).stream()
                    .filter(ReadyzWatch.Sample::ready).count();
            if (readyWhileDown > 0) {
                problems.add(note + ": /readyz answered 200 " + readyWhileDown + " times while every Kafka node was down");
            }
            if (readyAgain.isEmpty()) {
                problems.add(note + ": /readyz not 200 within 3 minutes of the cluster's return");
            } else if (!caughtUp.startsWith("caught up")) {
                problems.add(note + ": ready before it was caught up");
            }
        }
    }

    /** Whether the allocator's folded sequence has reached the ledger's end as a reader of its own finds it. */
    private String caughtUp(AllocatorProcess allocator) throws Exception {
        long end = lastCommittedSequence();
        long folded = allocator.metric("ledgerlb_allocator_ledger_sequence");
        return (folded >= end ? "caught up: " : "behind: ") + "folded " + folded + ", ledger end " + end;
    }

    /** The sequence of the last committed record of the events topic, read as any read_committed reader would. */
    private long lastCommittedSequence() throws Exception {
        var partition = new org.apache.kafka.common.TopicPartition(LedgerConfig.DEFAULT_EVENTS_TOPIC, 0);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                "bootstrap.servers", cluster.bootstrapServers(), "isolation.level", "read_committed",
                "key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class,
                "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class))) {
            consumer.assign(List.of(partition));
            long endOffset = consumer.endOffsets(List.of(partition)).get(partition);
            consumer.seek(partition, Math.max(0, endOffset - 50)); // past the commit markers of the last transactions
            long last = 0;
            while (consumer.position(partition) < endOffset) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    last = Math.max(last, io.ledgerlb.ledger.event.LedgerEntry.decode(record.value()).sequence());
                }
            }
            return last;
        }
    }

    /** The pool, and its Layer 2 advertisement: the speaker announces (in its metrics only) every IP of it. */
    private void pool(KubernetesClient kube) {
        apply(kube, MetalLbKinds.IP_ADDRESS_POOL, Map.of("addresses", List.of("10.99.64.0/18")));
        apply(kube, MetalLbKinds.L2_ADVERTISEMENT, Map.of("ipAddressPools", List.of("chaos")));
    }

    private static void apply(KubernetesClient kube, MetalLbKinds kind, Map<String, Object> spec) {
        kube.genericKubernetesResources(kind.context()).inNamespace("metallb-system")
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(kind.apiVersion()).withKind(kind.kind())
                        .withNewMetadata().withName("chaos").withNamespace("metallb-system").endMetadata()
                        .withAdditionalProperties(Map.of("spec", spec))
                        .build())
                .createOr(op -> op.update());
    }

    /** Creates Services, deletes some, and notes every IP a status shows, until told to stop. */
    private void churn(AllocatorProcess allocator, AtomicBoolean churning) {
        Random r;
        synchronized (random) {
            r = new Random(random.nextLong());
        }
        try (KubernetesClient kube = allocator.kubernetes()) {
            while (churning.get()) {
                try {
                    String name = "s" + names.incrementAndGet(); // never reused: a Service's IP never changes
                    kube.services().inNamespace("default").resource(new ServiceBuilder()
                            .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                            .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort()
                            .endSpec().build()).create();
                    live.add(name);
                    created++;
                    if (r.nextInt(4) == 0 && !live.isEmpty()) {
                        List<String> names = new ArrayList<>(live);
                        String victim = names.get(r.nextInt(names.size()));
                        kube.services().inNamespace("default").withName(victim).delete();
                        live.remove(victim);
                        lastShown.remove(victim);
                        deleted++;
                    }
                    record(kube);
                } catch (RuntimeException down) {
                    // the allocator (and its API) is being killed: what was not acknowledged does not count
                }
            }
        } catch (java.io.IOException e) {
            problems.add("churn: " + e.getMessage());
        }
    }

    private void record(KubernetesClient kube) {
        for (Service s : kube.services().inNamespace("default").list().getItems()) {
            ip(s).ifPresent(ip -> {
                shown.computeIfAbsent(s.getMetadata().getName(), k -> ConcurrentHashMap.newKeySet()).add(ip);
                lastShown.put(s.getMetadata().getName(), ip);
            });
        }
    }

    private static java.util.Optional<String> ip(Service s) {
        if (s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null || s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(s.getStatus().getLoadBalancer().getIngress().get(0).getIp());
    }

    /**
     * The IPs the Services' statuses show now; null when one has none yet, or the API does not
     * answer within {@link #LIST_TIMEOUT} (a list from a just-restarted local API once never came
     * back, and the client waits on it without a bound).
     */
    private Map<String, String> ipsNow(AllocatorProcess allocator) throws Exception {
        ExecutorService listing = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chaos-list");
            t.setDaemon(true);
            return t;
        });
        try (KubernetesClient kube = allocator.kubernetes()) {
            return listing.submit(() -> ipsNow(kube)).get(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException notNow) {
            return null;
        } finally {
            listing.shutdownNow();
        }
    }

    private Map<String, String> ipsNow(KubernetesClient kube) {
        Map<String, String> ips = new HashMap<>();
        try {
            for (Service s : kube.services().inNamespace("default").list().getItems()) {
                String name = s.getMetadata().getName();
                java.util.Optional<String> ip = ip(s);
                if (ip.isPresent()) {
                    ips.put(name, ip.get());
                    shown.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(ip.get());
                } else {
                    return null;
                }
            }
        } catch (RuntimeException notYet) {
            return null;
        }
        return ips;
    }

    /** Waits until every Service in the API has an IP again, and returns them. */
    private Map<String, String> awaitReconciled(AllocatorProcess allocator) throws Exception {
        long deadline = System.nanoTime() + RECONCILED_TIMEOUT.toNanos();
        while (true) {
            Map<String, String> ips = ipsNow(allocator);
            if (ips != null) {
                return ips;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Services still without an IP " + RECONCILED_TIMEOUT + " after a restart: "
                        + whyNotReconciled(allocator));
            }
            Thread.sleep(200);
        }
    }

    /**
     * What a run that never reconciled leaves to go on (its data folder goes with the test's): the
     * Services without an IP, whether the allocator runs and is ready, and the end of its log.
     */
    private String whyNotReconciled(AllocatorProcess allocator) {
        StringBuilder why = new StringBuilder();
        ExecutorService listing = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chaos-list-why");
            t.setDaemon(true);
            return t;
        });
        try (KubernetesClient kube = allocator.kubernetes()) {
            List<String> without = listing.submit(() -> {
                List<String> names = new ArrayList<>();
                for (Service s : kube.services().inNamespace("default").list().getItems()) {
                    if (ip(s).isEmpty()) {
                        names.add(s.getMetadata().getName());
                    }
                }
                return names;
            }).get(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            why.append(without.size()).append(" without an IP ").append(without);
        } catch (Exception e) {
            why.append("the API did not list Services (").append(e).append(')');
        } finally {
            listing.shutdownNow();
        }
        why.append("; allocator alive ").append(allocator.alive()).append(", ready ").append(allocator.ready());
        Path log = allocator.dataDir().resolve("allocator.log");
        try {
            List<String> lines = Files.readAllLines(log);
            why.append("; the last lines of ").append(log).append(":\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size())));
        } catch (IOException e) {
            why.append("; no log at ").append(log);
        }
        return why.toString();
    }

    private int heldTwice(Map<String, String> ips, String when) {
        Map<String, String> byIp = new HashMap<>();
        int twice = 0;
        for (Map.Entry<String, String> e : ips.entrySet()) {
            String other = byIp.putIfAbsent(e.getValue(), e.getKey());
            if (other != null) {
                twice++;
                problems.add(when + ": " + e.getValue() + " held by " + other + " and " + e.getKey());
            }
        }
        return twice;
    }

    /** The ledger read directly once the process is stopped: one chain, every shown decision in it. */
    private Figures check(int kills, int changed, int twice) throws Exception {
        int forks = 0;
        int lost = 0;
        long entries;
        try (KafkaLedger ledger = KafkaLedger.open(ledgerConfig(), "chaos check")) {
            ChainReport log = ledger.verifyLog(Progress.NONE);
            ChainReport journal = ledger.verifyJournal(Progress.NONE);
            if (!log.intact()) {
                forks++;
                problems.add("topic: " + log);
            }
            if (!journal.intact()) {
                problems.add("journal: " + journal);
            }
            entries = log.lastSequence();
            speakerViewAgainst(ledger, entries);
            Set<String> decided = new HashSet<>();
            ledger.read(1, entry -> {
                if (entry.event().hasIpAssigned()) {
                    decided.add(entry.event().getIpAssigned().getService().getName() + "=" + entry.event().getIpAssigned().getIp());
                }
            });
            for (Map.Entry<String, Set<String>> e : shown.entrySet()) {
                for (String ip : e.getValue()) {
                    if (!decided.contains(e.getKey() + "=" + ip)) {
                        lost++;
                        problems.add(e.getKey() + " was shown " + ip + ", which the ledger never assigned it");
                    }
                }
            }
            LedgerState state = ledger.stateAt(entries);
            for (ServiceKey key : state.servicesWithAssignments()) {
                state.assignmentsOf(key).forEach(a -> {
                    if (state.holders(a.getIp()).size() > 1) {
                        problems.add("ledger: " + a.getIp() + " held by " + state.holders(a.getIp()).size() + " Services");
                    }
                });
            }
            twice += (int) problems.stream().filter(p -> p.startsWith("ledger: ")).count();
        }
        return new Figures(kills, created, deleted, entries, forks, lost, twice, changed, List.copyOf(brokerKills),
                List.copyOf(problems), hangingAborted(), speakerThroughOutages(), List.copyOf(speakerBehind));
    }

    /** The speaker's last view must be the ledger's: every Service with an assignment at that sequence, and its IP. */
    private void speakerViewAgainst(KafkaLedger ledger, long end) throws Exception {
        if (speakerSequence < 0) {
            return; // already a problem: it never reached the allocator's sequence
        }
        if (speakerSequence != end) {
            problems.add("speaker: its last view is at sequence " + speakerSequence + ", the ledger ends at " + end);
        }
        LedgerState state = ledger.stateAt(speakerSequence);
        Map<String, String> assigned = new HashMap<>();
        for (ServiceKey key : state.servicesWithAssignments()) {
            state.assignmentsOf(key).forEach(a -> assigned.put(key.toString(), a.getIp()));
        }
        if (!assigned.equals(speakerView)) {
            Set<String> differ = new java.util.TreeSet<>(assigned.keySet());
            differ.addAll(speakerView.keySet());
            differ.removeIf(k -> java.util.Objects.equals(assigned.get(k), speakerView.get(k)));
            problems.add("speaker: its view differs from the ledger at sequence " + speakerSequence + " for " + differ.size()
                    + " Services, e.g. " + differ.stream().limit(5).map(k -> k + " ledger " + assigned.get(k) + " speaker "
                    + speakerView.get(k)).toList());
        }
    }

    /**
     * The ERROR lines of the allocators that met a transaction still open after fencing and aborted
     * it (EventLog.abortHanging), each with its coordinator's view: what the hunt for the hang's
     * cause needs, printed before the data folder goes.
     */
    private List<String> hangingAborted() throws java.io.IOException {
        Path log = dataDir.resolve("allocator.log");
        if (!java.nio.file.Files.exists(log)) {
            return List.of();
        }
        try (var lines = java.nio.file.Files.lines(log)) {
            List<String> found = lines.filter(l -> l.contains("a hanging transaction")).toList();
            found.forEach(l -> System.out.println("chaos hanging transaction: " + l));
            return found;
        }
    }

    private LedgerConfig ledgerConfig() throws java.io.IOException {
        if (cluster == null) {
            return LedgerConfig.embedded(dataDir.toAbsolutePath());
        }
        SigningKey key = SigningKey.load(signingKeyFile());
        return LedgerConfig.external(cluster.bootstrapServers(), Map.of())
                .withSqlite(dataDir.toAbsolutePath().resolve(LedgerConfig.SQLITE_FILE_NAME))
                .withTrustedKeys(TrustedKeys.of(key.publicKey()));
    }
}
