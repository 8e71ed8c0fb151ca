package io.ifpin.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The table of {@code bench/harness.sh --throughput-only} (issue 20): per JDK, 64 threads connecting to the pinned
 * address, pinned by ifpin ({@code jdk<N>-ifpin}) against the application pinning its own sockets
 * ({@code jdk<N>-self}), round by round; and the same application against a second run of itself
 * ({@code jdk<N>-self-again}, the A/A control): what two runs of the same thing differ by on this machine. A result
 * is only as good as that band is narrow: a median outside it says something, one inside it does not. Two sets:
 * separate processes ({@link #THROUGHPUT}, {@link #CPU}) and phases of one process that carries the agent
 * ({@link #INPROC}, {@code AlternatingThroughput}).
 */
final class ThroughputPairs {

    static final String THROUGHPUT = "connects_per_s_t64";
    static final String CPU = "cpu_us_per_connect";
    /** The prefix of the same two measures taken in one process, phase by phase. */
    static final String INPROC = "inproc_";
    /** Issue 20: pinned throughput at 64 threads at least this share of the self-pinned application's. */
    static final double TARGET = 0.97;

    private ThroughputPairs() {
    }

    /** The JDKs measured ({@code jdk25}, {@code jdk17}), highest first. */
    static List<String> jdks(HarnessReport report) {
        TreeSet<String> jdks = new TreeSet<>((a, b) -> Integer.compare(feature(b), feature(a)));
        for (String variant : report.variants(THROUGHPUT)) {
            if (variant.endsWith("-ifpin")) {
                jdks.add(variant.substring(0, variant.length() - "-ifpin".length()));
            }
        }
        return new ArrayList<>(jdks);
    }

    private static int feature(String jdk) {
        return Integer.parseInt(jdk.substring("jdk".length()));
    }

    /**
     * The four comparisons of one JDK in one set ({@code ""} for separate processes, {@link #INPROC}): ifpin and the
     * A/A control, for throughput and for CPU per connect.
     */
    static List<HarnessReport.Target> targets(String jdk, String set) {
        String where = set.isEmpty() ? jdk + ": " : jdk + ", one process: ";
        return List.of(
                new HarnessReport.Target(where + "connects/s, ifpin / self", set + THROUGHPUT, jdk + "-ifpin",
                        jdk + "-self", HarnessReport.Kind.RATIO, TARGET, "x"),
                new HarnessReport.Target(where + "connects/s, A/A: self / self", set + THROUGHPUT,
                        jdk + "-self-again", jdk + "-self", HarnessReport.Kind.RATIO, TARGET, "x"),
                new HarnessReport.Target(where + "CPU us/connect, ifpin - self", set + CPU, jdk + "-ifpin",
                        jdk + "-self", HarnessReport.Kind.DIFFERENCE, 0, "us"),
                new HarnessReport.Target(where + "CPU us/connect, A/A: self - self", set + CPU,
                        jdk + "-self-again", jdk + "-self", HarnessReport.Kind.DIFFERENCE, 0, "us"));
    }

    static String table(HarnessReport report) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-34s %-18s %5s %10s %10s %10s%n", "measure", "variant", "runs",
                "min", "median", "max"));
        for (String measure : List.of(THROUGHPUT, CPU, INPROC + THROUGHPUT, INPROC + CPU)) {
            for (String variant : report.variants(measure)) {
                double[] sorted = report.sortedValues(measure, variant);
                out.append(String.format(Locale.ROOT, "%-34s %-18s %5d %10s %10s %10s%n", measure, variant,
                        sorted.length, HarnessReport.number(sorted[0]), HarnessReport.number(
                                HarnessReport.median(sorted)), HarnessReport.number(sorted[sorted.length - 1])));
            }
        }
        out.append(String.format(Locale.ROOT, "%n%-56s %5s %8s %8s %8s%n", "round by round", "pairs", "min",
                "median", "max"));
        for (String jdk : jdks(report)) {
            for (String set : List.of("", INPROC)) {
                for (HarnessReport.Target target : targets(jdk, set)) {
                    double[] result = report.evaluate(target);
                    if (result == null) {
                        out.append(String.format(Locale.ROOT, "%-56s %5s%n", target.label(), "-"));
                        continue;
                    }
                    out.append(String.format(Locale.ROOT, "%-56s %5d %8s %8s %8s%n", target.label(), result.length,
                            HarnessReport.number(result[0]), HarnessReport.number(HarnessReport.median(result)),
                            HarnessReport.number(result[result.length - 1])));
                }
                out.append(verdict(report, jdk, set)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Whether ifpin's median ratio meets {@link #TARGET}, and whether that can be told apart from the machine's
     * noise: the A/A ratios' range is the band two runs of one thing fall in.
     */
    static String verdict(HarnessReport report, String jdk, String set) {
        List<HarnessReport.Target> targets = targets(jdk, set);
        String where = set.isEmpty() ? jdk : jdk + ", one process";
        double[] ifpin = report.evaluate(targets.get(0));
        double[] control = report.evaluate(targets.get(1));
        if (ifpin == null || control == null) {
            return where + ": not measured";
        }
        double median = HarnessReport.median(ifpin);
        double low = control[0];
        double high = control[control.length - 1];
        String met = median >= TARGET ? "met at the median" : "not met at the median";
        String resolved = median >= low && median <= high
                ? "inside the A/A band [" + HarnessReport.number(low) + ", " + HarnessReport.number(high)
                + "]: not resolvable from noise on this machine"
                : "outside the A/A band [" + HarnessReport.number(low) + ", " + HarnessReport.number(high) + "]";
        return String.format(Locale.ROOT, "%s: ifpin / self-pinned %s (target >= %s): %s; %s", where,
                HarnessReport.number(median), HarnessReport.number(TARGET), met, resolved);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ThroughputPairs raw.tsv");
            System.exit(64);
        }
        System.out.print(table(HarnessReport.read(Files.readAllLines(Path.of(args[0])))));
    }
}
