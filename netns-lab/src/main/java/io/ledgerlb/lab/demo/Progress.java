package io.ledgerlb.lab.demo;

import java.io.PrintStream;
import java.util.Locale;

/** The lab's progress on stdout: every step with the time since the start and how long it took. */
final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();

    Progress(PrintStream out) {
        this.out = out;
    }

    interface Step<T> {
        T run() throws Exception;
    }

    /** Runs one step between a start line and an end line that says how long it took. */
    <T> T step(String title, Step<T> step) throws Exception {
        line("-> " + title);
        long begun = System.nanoTime();
        T result = step.run();
        line("   done: " + title + String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - begun) / 1e9));
        return result;
    }

    void step(String title, Runnable step) throws Exception {
        step(title, () -> {
            step.run();
            return null;
        });
    }

    /** A line of the lab's own, stamped with the time since the start. */
    void line(String text) {
        out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, text);
        out.flush();
    }

    /** What a command printed, indented under the step that ran it, with the command first as a user would type it. */
    void shell(String command, String output) {
        out.println("   $ " + command);
        for (String l : output.strip().split("\n")) {
            out.println("     " + l);
        }
        out.flush();
    }
}
