package io.ledgerlb.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * README's speaker command (for a node of a real cluster, so it cannot run here) goes through the
 * speaker's real command-line parser, with the node's name and address filled in as a DaemonSet
 * fills them: every option it shows exists and takes the value written.
 */
class ReadmeSpeakerCommandTest {
    private static final Pattern SPEAKER = Pattern.compile("java -jar \\S*ledgerlb-speaker\\.jar\\s+(.*)");

    @Test
    void readmesSpeakerCommandParses() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        List<String> commands = new ArrayList<>();
        StringBuilder joined = new StringBuilder();
        for (String line : readme.split("\n")) {
            String code = line.replaceAll("(^|\\s)#.*", "").stripTrailing();
            if (code.endsWith("\\")) {
                joined.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            Matcher m = SPEAKER.matcher(joined.append(code).toString().strip());
            if (m.find()) {
                commands.add(m.group(1));
            }
            joined.setLength(0);
        }
        assertThat(commands).isNotEmpty();
        for (String command : commands) {
            String[] args = command.replace("$NODE_NAME", "node1").replace("$NODE_IP", "10.99.0.1").split("\\s+");
            assertThatCode(() -> new CommandLine(new SpeakerMain()).parseArgs(args)).as(command).doesNotThrowAnyException();
        }
    }
}
