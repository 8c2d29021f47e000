package io.ledgerlb.speaker.bgp.gobgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gobgpd run by the speaker itself, its life tied to the speaker's: a speaker that dies, even by
 * {@code kill -9}, must not leave its routes at the routers. gobgpd starts through
 * {@code setpriv --pdeathsig KILL}, so the kernel kills it when its parent dies; its sockets close
 * and every router drops the session and its paths at once (no hold timer to wait out).
 *
 * <p>Linux sends the parent-death signal when the parent <em>thread</em> ends, so gobgpd is
 * started from a supervisor thread that lives exactly as long as it: the thread waits for gobgpd
 * and starts it again if it exits (the bridge then adds every neighbor and path again).
 */
public final class GobgpdProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GobgpdProcess.class);
    static final String SETPRIV = "/usr/bin/setpriv";

    private final List<String> command;
    private final Path logFile;
    private final CountDownLatch firstStart = new CountDownLatch(1);
    private final Thread supervisor;
    private volatile Process process;
    private volatile boolean closed;
    private volatile IOException startFailure;

    private GobgpdProcess(Path binary, String apiTarget, Path logFile) {
        this.command = List.of(SETPRIV, "--pdeathsig", "KILL", "--", binary.toString(), "-p", "-l", "info",
                "--api-hosts", apiTarget, "--pprof-disable");
        this.logFile = logFile;
        this.supervisor = new Thread(this::supervise, "gobgpd-supervisor");
        this.supervisor.setDaemon(true);
    }

    /**
     * Starts gobgpd ({@code binary}) with its API at {@code apiTarget} ("unix:///path" or
     * "127.0.0.1:50051"), its output appended to {@code logFile}; returns once it runs (its API
     * may take a moment more: the bridge retries).
     */
    public static GobgpdProcess start(Path binary, String apiTarget, Path logFile) throws IOException {
        if (!Files.isExecutable(binary) || !Files.isExecutable(Path.of(SETPRIV))) {
            throw new IOException("cannot run gobgpd: " + binary + " and " + SETPRIV + " (util-linux) must be executable");
        }
        GobgpdProcess gobgpd = new GobgpdProcess(binary, apiTarget, logFile);
        gobgpd.supervisor.start();
        try {
            gobgpd.firstStart.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting gobgpd", e);
        }
        if (gobgpd.startFailure != null) {
            throw gobgpd.startFailure;
        }
        return gobgpd;
    }

    private void supervise() {
        while (!closed) {
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            } catch (IOException e) {
                startFailure = e;
                firstStart.countDown();
                log.error("cannot start gobgpd: {}", e.toString());
                return;
            }
            firstStart.countDown();
            log.atInfo().addKeyValue("event", "gobgpdStarted").addKeyValue("pid", process.pid()).log("gobgpd started");
            try {
                int exit = process.waitFor();
                if (!closed) {
                    log.atWarn().addKeyValue("event", "gobgpdExited").addKeyValue("exitCode", exit).log("gobgpd exited; starting it again");
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                // close() interrupts: gobgpd goes with us
                process.destroyForcibly();
                return;
            }
        }
    }

    /** gobgpd's process id now (it changes when gobgpd is started again). */
    public long pid() {
        return process.pid();
    }

    /** Stops gobgpd (SIGTERM: it ends its sessions with a CEASE), then the supervisor. */
    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        supervisor.interrupt();
    }
}
