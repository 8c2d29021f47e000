package io.ledgerlb.speaker.bgp.interop;

import io.ledgerlb.speaker.bgp.BgpBackend;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpBackend;
import io.ledgerlb.speaker.bgp.gobgp.GoBgpSettings;
import io.ledgerlb.speaker.bgp.nativ.NativeBgpBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Three speakers of one backend, as three nodes would run them, all in the test JVM's network
 * namespace (each speaks from the addresses of its own link). GoBGP: one gobgpd per speaker, started
 * here beside the JVM as the sidecar runs beside the speaker, its API on a unix socket.
 */
final class Speakers implements AutoCloseable {

    enum Backend { NATIVE, GOBGP }

    final Backend backend;
    private final List<BgpBackend> backends = new ArrayList<>();
    private final List<Process> daemons = new ArrayList<>();

    Speakers(Backend backend, InteropLab lab) throws IOException {
        this(backend, lab, false);
    }

    /**
     * With {@code gobgpdAccepts}, each gobgpd also listens on its speaker's addresses, so the
     * router's first connect (1 s) brings a session up instead of gobgpd's own, which gobgpd 3.10
     * makes only 5 to 10 s after a neighbor is added. For tests about what is announced; those
     * about how gobgpd connects (GTSM, a backend switch, the speaker's own runs) keep it dialing.
     */
    Speakers(Backend backend, InteropLab lab, boolean gobgpdAccepts) throws IOException {
        this.backend = backend;
        for (int i = 1; i <= InteropLab.SPEAKERS; i++) {
            if (backend == Backend.NATIVE) {
                backends.add(new NativeBgpBackend(new SimpleMeterRegistry()));
            } else {
                GoBgpSettings settings = GoBgpSettings.at(startGobgpd(lab, i));
                backends.add(new GoBgpBackend(gobgpdAccepts ? settings.listeningOn(179, addressesOf(lab, i)) : settings));
            }
        }
    }

    private static List<InetAddress> addressesOf(InteropLab lab, int i) {
        return Stream.of(SessionKind.values()).map(kind -> lab.speaker(i, kind)).toList();
    }

    /** Speaker {@code i}'s backend (1..3). */
    BgpBackend speaker(int i) {
        return backends.get(i - 1);
    }

    private String startGobgpd(InteropLab lab, int i) throws IOException {
        Path dir = lab.dir();
        Path socket = dir.resolve("speaker" + i + "-gobgpd.sock");
        Process gobgpd = new ProcessBuilder("/usr/bin/gobgpd", "-p", "-l", "info", "--api-hosts", "unix://" + socket, "--pprof-disable")
                .redirectErrorStream(true).redirectOutput(dir.resolve("speaker" + i + "-gobgpd.log").toFile()).start();
        daemons.add(gobgpd);
        InteropLab.awaitSocket(socket, gobgpd, () -> lab.lab.log("speaker" + i + "-gobgpd.log"));
        return "unix://" + socket;
    }

    @Override
    public void close() {
        backends.forEach(BgpBackend::close);
        for (Process p : daemons) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
