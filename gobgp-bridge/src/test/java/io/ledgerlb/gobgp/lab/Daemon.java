package io.ledgerlb.gobgp.lab;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A daemon the lab started (in a namespace), stopped by its own PID only. */
public final class Daemon implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    /** @param process started by {@code ip netns exec}, which execs the command, so the PID is the daemon's */
    Daemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private void waitFor() {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + pid() + ")";
    }
}
