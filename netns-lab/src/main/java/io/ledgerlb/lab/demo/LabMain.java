package io.ledgerlb.lab.demo;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ledgerlb lab}: MetalLB's introduction, played on real daemons in network namespaces
 * (see {@link ArticleDemo}); {@code ledgerlb lab down} removes what a lab left running. Exit
 * codes: 0 the demo showed everything, 1 something did not show (the reason is printed), 2 usage.
 */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args)));
    }

    static int run(List<String> args) throws Exception {
        if (args.contains("-h") || args.contains("--help")) {
            System.out.print(LabOptions.USAGE);
            return 0;
        }
        if (!args.isEmpty() && args.get(0).equals("down")) {
            LabRegistry.down(System.out);
            return 0;
        }
        LabOptions options;
        LabJars jars;
        try {
            options = LabOptions.parse(args);
            jars = LabJars.find(options.allocatorJar(), options.speakerJar());
        } catch (IllegalArgumentException e) {
            System.err.println("ledgerlb lab: " + e.getMessage());
            System.err.print(LabOptions.USAGE);
            return 2;
        }
        if (!io.ledgerlb.lab.NetnsLab.available()) {
            System.err.println("ledgerlb lab: needs root and iproute2 (it makes network namespaces)");
            return 2;
        }
        Progress progress = new Progress(System.out);
        ArticleWorld world = new ArticleWorld(jars, options);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                progress.line("removing the lab: its processes and namespaces " + world.ns("*"));
                world.close();
            }
        };
        // Ctrl-C and `ledgerlb lab down` (SIGTERM) end here too
        Runtime.getRuntime().addShutdownHook(new Thread(close, "lab-down"));
        try {
            ArticleDemo demo = new ArticleDemo(world, options, progress);
            demo.play();
            progress.line("the article's two demos, done");
            if (options.keep()) {
                keep(world, options, demo.ip());
            }
            return 0;
        } catch (Exception e) {
            if (closed.get()) {
                return 130;
            }
            progress.line("FAILED: " + e.getMessage());
            progress.line("logs: " + world.lab.dir() + " (removed with the lab; --keep leaves them)");
            return 1;
        } finally {
            if (!options.keep()) {
                close.run();
            }
        }
    }

    /** Leaves the lab running until Ctrl-C or {@code ledgerlb lab down}, after saying how to reach it. */
    private static void keep(ArticleWorld world, LabOptions options, String ip) throws InterruptedException {
        // Layer 2 reaches the client on its wire; over BGP the router forwards (FRR and BIRD install the routes)
        String from = options.mode().equals("layer2") ? ArticleWorld.CLIENT : ArticleWorld.ROUTER;
        StringBuilder hints = new StringBuilder();
        hints.append("  export KUBECONFIG=").append(world.kubeconfig()).append('\n')
                .append("  kubectl get svc nginx; kubectl get ipaddresspools,l2advertisements,bgpadvertisements,bgppeers -A\n");
        if (from.equals(ArticleWorld.CLIENT) || world.router().installsRoutes()) {
            hints.append("  ip netns exec ").append(world.ns(from)).append(" curl http://").append(ip).append("/\n");
        }
        if (options.layer2()) {
            hints.append("  ip netns exec ").append(world.ns(ArticleWorld.CLIENT)).append(" arping -c 3 -I eth0 ").append(ip).append('\n');
        }
        hints.append("  ip netns exec ").append(world.ns(ArticleWorld.ROUTER)).append(' ').append(world.router().cliHint()).append('\n')
                .append("  java -jar allocator/target/ledgerlb.jar audit --ip ").append(ip).append(" --admin ").append(world.admin()).append('\n')
                .append("  logs (the speakers': JSON lines): ").append(world.lab.dir()).append("/*.log\n");
        System.out.printf("%nThe lab keeps running; Ctrl-C here or `java -jar allocator/target/ledgerlb.jar lab down` removes it.%n%s%n", hints);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
