package io.ledgerlb.ledger.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default broker's passwords, made once in the data folder ({@value #FILE_NAME},
 * mode 0600) and kept across restarts and recovery: the broker's own (a super user, SASL/PLAIN,
 * known only to the broker's configuration), the allocator's and the readers' (SCRAM-SHA-512
 * users the broker creates, granted {@link LedgerAcls}). The readers' client settings are also
 * written as a properties file of their own ({@value #READER_FILE_NAME}, 0600), which speakers and
 * CLI commands pointed at the embedded broker take as {@code --kafka-properties-file}.
 */
public record BrokerCredentials(String brokerPassword, String allocatorPassword, String readerPassword) {
    private static final Logger log = LoggerFactory.getLogger(BrokerCredentials.class);
    public static final String FILE_NAME = "kafka-credentials.properties";
    public static final String READER_FILE_NAME = "kafka-reader.properties";
    /** The broker's own principal (inter-broker and controller traffic), its one super user. */
    public static final String BROKER_USER = "admin";
    public static final String ALLOCATOR_USER = LedgerAcls.ALLOCATOR.substring("User:".length());
    public static final String READER_USER = LedgerAcls.READER.substring("User:".length());
    public static final String CLIENT_MECHANISM = "SCRAM-SHA-512";
    public static final String BROKER_MECHANISM = "PLAIN";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The data folder's credentials, made (with the readers' file) on first use. */
    public static BrokerCredentials loadOrGenerate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            BrokerCredentials credentials;
            if (Files.exists(file)) {
                ownerOnly(file);
                Properties p = load(file);
                credentials = new BrokerCredentials(required(p, "broker", file), required(p, "allocator", file), required(p, "reader", file));
            } else {
                credentials = new BrokerCredentials(password(), password(), password());
                Properties p = new Properties();
                p.setProperty("broker", credentials.brokerPassword);
                p.setProperty("allocator", credentials.allocatorPassword);
                p.setProperty("reader", credentials.readerPassword);
                writeOwnerOnly(p, file, "ledgerlb embedded Kafka passwords: made on first run, kept; readers use " + READER_FILE_NAME);
            }
            Path readers = dataDir.resolve(READER_FILE_NAME);
            Properties readerClient = new Properties();
            readerClient.putAll(credentials.readerClient());
            if (!Files.exists(readers) || !load(readers).equals(readerClient)) {
                writeOwnerOnly(readerClient, readers, "ledgerlb: a reader of the embedded ledger (speaker, CLI): --kafka-properties-file");
            } else {
                ownerOnly(readers);
            }
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the embedded Kafka's credentials in " + dataDir, e);
        }
    }

    /** The allocator's client settings (SCRAM-SHA-512 over loopback). */
    public Map<String, String> allocatorClient() {
        return client(CLIENT_MECHANISM, "org.apache.kafka.common.security.scram.ScramLoginModule", ALLOCATOR_USER, allocatorPassword);
    }

    /** A reader's client settings: the content of {@value #READER_FILE_NAME}. */
    public Map<String, String> readerClient() {
        return client(CLIENT_MECHANISM, "org.apache.kafka.common.security.scram.ScramLoginModule", READER_USER, readerPassword);
    }

    /** The broker's own client settings, a super user's (its readiness check and its grants). */
    public Map<String, String> brokerClient() {
        return client(BROKER_MECHANISM, "org.apache.kafka.common.security.plain.PlainLoginModule", BROKER_USER, brokerPassword);
    }

    private static Map<String, String> client(String mechanism, String loginModule, String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", loginModule + " required username=\"" + user + "\" password=\"" + password + "\";");
        return p;
    }

    @Override
    public String toString() {
        return "BrokerCredentials[passwords hidden]";
    }

    private static String password() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String required(Properties p, String key, Path file) {
        String value = p.getProperty(key, "").strip();
        if (value.isEmpty()) {
            throw new IllegalStateException(file + " has no '" + key + "' password; remove the file to make new ones");
        }
        return value;
    }

    /** A file of secrets that others can read is made owner-only again, and said so. */
    private static void ownerOnly(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            log.warn("{} was readable by others: made owner-only (0600)", file);
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static void writeOwnerOnly(Properties p, Path file, String comment) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try (Writer out = Files.newBufferedWriter(temporary)) {
            p.store(out, comment);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
