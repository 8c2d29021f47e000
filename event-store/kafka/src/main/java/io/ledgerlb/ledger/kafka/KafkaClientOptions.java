package io.ledgerlb.ledger.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The Kafka client settings an operator gives a process (TLS, SASL, tuning), the same options
 * for the allocator, the speaker and every CLI command (a picocli mixin): a properties file
 * ({@code --kafka-properties-file}) and single {@code --kafka-property key=value} settings, which
 * win over the file's. {@link KafkaClients} gives them to every producer, consumer and admin
 * client of the ledger.
 */
public final class KafkaClientOptions {
    /** The environment variable that names the properties file when the option is not given. */
    public static final String FILE_ENV = "LEDGERLB_KAFKA_PROPERTIES_FILE";

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for every producer, consumer and admin client (TLS, SASL, ...); "
                    + "repeatable; wins over --kafka-properties-file.")
    Map<String, String> single = new LinkedHashMap<>();

    @Option(names = "--kafka-properties-file", paramLabel = "FILE", defaultValue = "${env:" + FILE_ENV + "}",
            description = "A file of Kafka client properties (java.util.Properties format), as --kafka-property "
                    + "(default: $" + FILE_ENV + ").")
    Path file;

    /** True when the operator gave any setting. */
    public boolean given() {
        return file != null || !single.isEmpty();
    }

    /** The settings: the file's, then the single ones on top. */
    public Map<String, String> properties() {
        return merge(file, single);
    }

    /**
     * What to add to "Kafka does not answer" when no credentials are configured: a broker that wants
     * them (the embedded default's does) just closes the connection, which a client cannot tell from
     * a broker that is down. Empty when a security protocol is set.
     */
    public static String credentialsHint(Map<String, String> properties) {
        if (properties.containsKey("security.protocol")) {
            return "";
        }
        return " (no Kafka credentials are configured: a broker that wants them closes the connection; readers of"
                + " the embedded default's broker pass --kafka-properties-file DATA/" + BrokerCredentials.READER_FILE_NAME + ")";
    }

    /**
     * The file's properties (none when {@code file} is null), then {@code single} on top.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public static Map<String, String> merge(Path file, Map<String, String> single) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            Properties loaded = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                loaded.load(in);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("Kafka properties file " + file + " does not exist");
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot read Kafka properties file " + file + ": " + e.getMessage());
            }
            loaded.stringPropertyNames().stream().sorted().forEach(k -> merged.put(k, loaded.getProperty(k).strip()));
        }
        merged.putAll(single);
        return merged;
    }
}
