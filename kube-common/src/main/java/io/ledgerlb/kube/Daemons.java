package io.ledgerlb.kube;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background threads that never keep the process alive on their own. */
public final class Daemons {
    private Daemons() {}

    /** One daemon thread of this name, for work done in turn and on a schedule. */
    public static ScheduledExecutorService thread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
