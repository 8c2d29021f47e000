package io.ledgerlb.allocator.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ledgerlb.allocator.cli.LedgerlbCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ledgerlb} command line in README's shell blocks, README and deploy/README alike,
 * goes through the real command-line parser: each subcommand and option it shows exists and takes
 * the values written. The commands that need only this machine also run for real (ReadmeLabIT,
 * ReadmeRunIT, the restore and CLI tests); those that need a cluster or a production Kafka
 * (`run --kubeconfig … --kafka-bootstrap …`) are checked here as far as this machine allows.
 */
class ReadmeCommandLinesTest {
    private static final Pattern LEDGERLB = Pattern.compile("java -jar \\S*ledgerlb\\.jar\\s+(.*)");

    @Test
    void everyLedgerlbCommandInTheReadmesParses() throws IOException {
        List<String> commands = new ArrayList<>();
        for (Path readme : List.of(ReadmeLabIT.REPO.resolve("README.md"), ReadmeLabIT.REPO.resolve("deploy/README.md"))) {
            for (String line : shellLines(Files.readString(readme))) {
                Matcher m = LEDGERLB.matcher(line);
                while (m.find()) {
                    commands.add(m.group(1).split("\\s*(&&|\\||;)\\s*")[0]);
                }
            }
        }
        assertThat(commands).as("README shows ledgerlb commands").hasSizeGreaterThanOrEqualTo(8)
                .anyMatch(c -> c.startsWith("run ")).anyMatch(c -> c.startsWith("restore ")).anyMatch(c -> c.startsWith("audit "));
        for (String command : commands) {
            String[] args = words(command);
            assertThatCode(() -> LedgerlbCommand.commandLine().parseArgs(args)).as(command).doesNotThrowAnyException();
        }
    }

    /** The lines of every fenced sh block, comments dropped, continuation lines joined. */
    static List<String> shellLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.strip().equals("```sh");
                continue;
            }
            if (!inBlock) {
                continue;
            }
            String code = line.replaceAll("(^|\\s)#.*", "").stripTrailing();
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            lines.add(pending.append(code).toString().strip());
            pending.setLength(0);
        }
        return lines;
    }

    /** Splits a command as the shell would for these lines: blanks, 'single' and "double" quotes. */
    static String[] words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words.toArray(String[]::new);
    }
}
