package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded speaker jar as shipped (after {@code package}; run by failsafe): it holds only what a
 * speaker runs, Linux natives for x86-64 and arm64 only, stays under its size budget, and starts on
 * the image's jlink'd runtime ({@code deploy/jlink-runtime}, built by the pom into target/jre).
 */
class SpeakerJarIT {
    static final Path JAR = Path.of(System.getProperty("ledgerlb.speaker.jar", "target/ledgerlb-speaker.jar"));
    static final Path RUNTIME = Path.of(System.getProperty("ledgerlb.runtime", "target/jre"));
    static final long MAX_BYTES = 40_000_000; // issue 10: ≤ 40 MB

    /** Packages of things a speaker never runs: the Kafka broker (Scala's kafka/* and its Java parts), Scala, SQLite,
     *  the mock API server, unused Kubernetes models, the labs, log4j's core, BouncyCastle's providers and ciphers
     *  (of BouncyCastle, only its Ed25519 code and what that loads: see {@link #bouncyCastleIsOnlyEd25519}). */
    static final List<String> NOT_IN_A_SPEAKER = List.of(
            "kafka/server/", "kafka/log/", "scala/", "org/apache/kafka/raft/", "org/apache/kafka/storage/", "org/apache/kafka/controller/",
            "org/sqlite/",
            "io/fabric8/kubernetes/client/server/mock/", "io/fabric8/mockwebserver/", "io/vertx/",
            "io/fabric8/kubernetes/api/model/gatewayapi/", "io/fabric8/kubernetes/api/model/networking/",
            "io/fabric8/kubernetes/api/model/resource/", "io/fabric8/kubernetes/api/model/admissionregistration/",
            "io/ledgerlb/lab/", "io/ledgerlb/speaker/lab/", "org/apache/logging/log4j/core/",
            "org/bouncycastle/jce/", "org/bouncycastle/jcajce/", "org/bouncycastle/pqc/", "org/bouncycastle/crypto/engines/",
            "org/bouncycastle/crypto/signers/", "org/bouncycastle/asn1/pkcs/", "org/bouncycastle/math/ec/custom/");

    /** The ledger's signatures are checked with BouncyCastle's Ed25519: that code and the ~40 classes it loads, no more. */
    @Test
    void bouncyCastleIsOnlyEd25519() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> classes = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("org/bouncycastle/") && n.endsWith(".class")).toList();
            assertThat(classes).contains("org/bouncycastle/math/ec/rfc8032/Ed25519.class",
                    "org/bouncycastle/crypto/digests/SHA512Digest.class");
            assertThat(classes.stream().filter(n -> !n.startsWith("org/bouncycastle/math/")).count())
                    .as("BouncyCastle classes outside its Ed25519 arithmetic").isLessThan(60);
        }
    }

    @Test
    void holdsOnlyWhatASpeakerRuns() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).as("the speaker's own classes").contains("io/ledgerlb/speaker/SpeakerMain.class",
                    "io/fabric8/kubernetes/api/model/discovery/v1/EndpointSlice.class", "io/fabric8/kubernetes/api/model/Secret.class");
            assertThat(names).as("the Scala broker's classes").noneMatch(n -> n.startsWith("kafka/") && n.endsWith(".class"));
            for (String prefix : NOT_IN_A_SPEAKER) {
                assertThat(names).as("entries under " + prefix).noneMatch(n -> n.startsWith(prefix));
            }
        }
    }

    @Test
    void nativesOnlyForLinuxOnX8664AndArm64() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> natives = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib"))
                    .toList();
            assertThat(natives).isNotEmpty().allSatisfy(n -> {
                // netty's epoll transport is Linux-only by what it is; the others name the platform
                assertThat(n.toLowerCase()).endsWith(".so").containsAnyOf("linux", "_epoll_");
                assertThat(n.toLowerCase()).containsAnyOf("x86_64", "x86-64", "amd64", "aarch64", "aarch_64");
            });
        }
    }

    @Test
    void staysUnderItsSizeBudget() throws IOException {
        assertThat(Files.size(JAR)).isLessThanOrEqualTo(MAX_BYTES);
    }

    @Test
    void startsOnTheImagesRuntime() throws Exception {
        Process help = new ProcessBuilder(RUNTIME.resolve("bin/java").toString(), "-jar", JAR.toString(), "--help")
                .redirectErrorStream(true).start();
        String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).as(out).isZero();
        assertThat(out).contains("Usage: ledgerlb-speaker", "--kafka-bootstrap");
    }
}
