package io.ledgerlb.lab.demo;

import java.nio.file.Path;
import java.util.List;

/** {@code ledgerlb lab [--mode layer2|bgp|both] [--router frr|bird|gobgp] [--backend native|gobgp] [--keep]}. */
record LabOptions(String mode, String router, String backend, boolean keep, Path allocatorJar, Path speakerJar) {
    static final String USAGE = """
            usage: ledgerlb lab [--mode layer2|bgp|both] [--router frr|bird|gobgp] [--backend native|gobgp] [--keep]
                   ledgerlb lab down
              Builds the article's network in namespaces (three nodes with speakers, a client, a router),
              runs the allocator and the speakers, and plays MetalLB's introduction: Layer 2, then BGP.
              --mode     which demo (default both)
              --router   the router's BGP daemon (default frr)
              --backend  the speakers' BGP backend: the built-in Java speaker or a gobgpd beside each (default native)
              --keep     leave the lab running at the end and print how to reach it (Ctrl-C removes it)
            """;

    static LabOptions parse(List<String> args) {
        String mode = "both";
        String router = "frr";
        String backend = "native";
        boolean keep = false;
        Path allocator = null;
        Path speaker = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            java.util.function.Supplier<String> value = valueOf(args, i, arg);
            switch (name) {
                case "--mode" -> mode = oneOf(name, value.get(), "layer2", "bgp", "both");
                case "--router" -> router = oneOf(name, value.get(), "frr", "bird", "gobgp");
                case "--backend" -> backend = oneOf(name, value.get(), "native", "gobgp");
                case "--allocator-jar" -> allocator = Path.of(value.get());
                case "--speaker-jar" -> speaker = Path.of(value.get());
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
            if (!arg.contains("=") && !name.equals("--keep")) {
                i++;
            }
        }
        return new LabOptions(mode, router, backend, keep, allocator, speaker);
    }

    boolean layer2() {
        return !mode.equals("bgp");
    }

    boolean bgp() {
        return !mode.equals("layer2");
    }

    private static java.util.function.Supplier<String> valueOf(List<String> args, int i, String arg) {
        return () -> {
            if (arg.contains("=")) {
                return arg.substring(arg.indexOf('=') + 1);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            return args.get(i + 1);
        };
    }

    private static String oneOf(String option, String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(option + " " + value + ": one of " + String.join(", ", allowed));
        }
        return value;
    }
}
