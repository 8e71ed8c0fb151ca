package io.ifpin.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the raw measurements of bench/harness.sh into the table of docs/dev/performance.md: min / median / max of every
 * measure and variant, then each issue 7 target computed from runs paired by their number (the variants of one run
 * ran back to back, so pairing cancels most of a noisy machine's drift), and whether it is met ({@link #verdict});
 * then issue 13's startup matrix ({@link StartupMatrix}) and its targets ({@link #STARTUP_TARGETS}), each beside the
 * floor: what an agent that does nothing costs in the same figure.
 *
 * <pre>
 *   java -cp benchmarks.jar io.ifpin.bench.harness.HarnessReport raw.tsv [plot-dir]
 * </pre>
 *
 * {@code raw.tsv} has one line per measurement: {@code measure <TAB> variant <TAB> run <TAB> value}. With a plot
 * directory, it also writes {@code connect-throughput.svg} (throughput by thread count, every variant).
 */
public final class HarnessReport {

    /** An issue 7 target: {@code measure} of {@code variant} against {@code baseline}, run by run. */
    record Target(String label, String measure, String variant, String baseline, Kind kind, double limit,
                  String unit) {
    }

    enum Kind {
        /** variant - baseline, at most limit */
        DIFFERENCE,
        /** variant / baseline, at least limit */
        RATIO,
        /** (variant - baseline) / the same run's c_setsockopt_ns (else their median), at most limit */
        OVER_SETSOCKOPT,
        /** the variant's own values, at most limit (baseline unused) */
        VALUE,
        /**
         * (variant - its pair's no-agent run) - (baseline - its pair's no-agent run), round by round (startup
         * matrix: {@link StartupMatrix#overNoAgentByRound}), at most limit
         */
        OVER_NO_AGENT_DIFFERENCE
    }

    static final List<Target> TARGETS = List.of(
            new Target("connect, no rule matches (10,000 rules)", "connect_ns", "agent-10000", "none",
                    Kind.DIFFERENCE, 100, "ns"),
            new Target("connect, pinned (10,000 rules), x C setsockopt", "connect_pinned_ns", "agent-10000", "none",
                    Kind.OVER_SETSOCKOPT, 1.5, "x"),
            new Target("hook, no rule matches (10,000 rules; in-process, JMH)", "hook_ns", "agent-10000", "none",
                    Kind.DIFFERENCE, 100, "ns"),
            new Target("hook, pinned, JDK 17, JNA (in-process), x C setsockopt", "hook_pinned_ns", "jdk17-jna",
                    "none", Kind.OVER_SETSOCKOPT, 1.5, "x"),
            new Target("hook, pinned, JDK 25, JNA (in-process), x C setsockopt", "hook_pinned_ns", "jdk25-jna",
                    "none", Kind.OVER_SETSOCKOPT, 1.5, "x"),
            new Target("hook, pinned, JDK 25, FFM (in-process), x C setsockopt", "hook_pinned_ns", "jdk25-ffm",
                    "none", Kind.OVER_SETSOCKOPT, 1.5, "x"),
            new Target("C floor: connect with setsockopt, x setsockopt", "connect_pinned_ns", "c", "c-unpinned",
                    Kind.OVER_SETSOCKOPT, 1.5, "x"),
            new Target("startup, 1,000 rules", "startup_ms", "agent-1000", "none", Kind.DIFFERENCE, 150, "ms"),
            new Target("startup, 1,000 rules, over an agent that does nothing", "startup_ms", "agent-1000",
                    "empty-agent", Kind.DIFFERENCE, 150, "ms"),
            new Target("heap, 10,000 rules", "heap_mb", "agent-10000", "none", Kind.DIFFERENCE, 10, "MB"),
            new Target("throughput, 64 threads, no rule matches", "connects_per_s_t64", "agent-10000", "none",
                    Kind.RATIO, 0.95, "x"),
            new Target("throughput, 64 threads, pinned", "connects_per_s_t64", "agent-10000-pinned", "none",
                    Kind.RATIO, 0.95, "x"),
            new Target("throughput, 64 + 10,000 virtual threads, no rule matches", "connects_per_s_t64_vthreads",
                    "agent-10000", "none", Kind.RATIO, 0.95, "x"),
            new Target("throughput, 64 + 10,000 virtual threads, pinned", "connects_per_s_t64_vthreads",
                    "agent-10000-pinned", "none", Kind.RATIO, 0.95, "x"),
            new Target("throughput, 1 thread, pinned x pinned by the app itself", "connects_per_s_t1",
                    "agent-10000-pinned", "self-pinned", Kind.RATIO, 0.95, "x"),
            new Target("throughput, 64 threads, pinned x pinned by the app itself", "connects_per_s_t64",
                    "agent-10000-pinned", "self-pinned", Kind.RATIO, 0.95, "x"),
            new Target("throughput, 64 + 10,000 virtual, pinned x pinned by the app", "connects_per_s_t64_vthreads",
                    "agent-10000-pinned", "self-pinned", Kind.RATIO, 0.95, "x"),
            new Target("rule match p50, 10,000 rules (JMH, worst case)", "match_p50_ns", "agent-10000", "zero",
                    Kind.DIFFERENCE, 200, "ns"));

    /**
     * Issue 13's startup targets, from the startup matrix (variants {@code jdk<N>-<case>}, see {@link StartupMatrix}):
     * whole JVMs of an app whose main returns at once, each against its own no-agent run.
     */
    static final List<Target> STARTUP_TARGETS = startupTargets();

    private static List<Target> startupTargets() {
        List<Target> targets = new ArrayList<>();
        for (String jdk : List.of("jdk17", "jdk25")) {
            String name = StartupMatrix.label(jdk);
            String none = jdk + "-none";
            targets.add(new Target(name + ", empty config, wall to exit", "exit_wall_ms", jdk + "-ifpin-empty", none,
                    Kind.DIFFERENCE, 40, "ms"));
            targets.add(new Target(name + ", 10 rules, wall to exit", "exit_wall_ms", jdk + "-ifpin-10", none,
                    Kind.DIFFERENCE, 80, "ms"));
            targets.add(new Target(name + ", 10 rules, peak RSS", "peak_rss_mib", jdk + "-ifpin-10", none,
                    Kind.DIFFERENCE, 15, "MiB"));
            // "no later than with the empty config", to the resolution of the measure (the wall clock in ms at
            // main's first line against the shell's at the launch) and the machine's noise
            targets.add(new Target(name + ", 10 rules, main starts after empty config's", "main_start_ms",
                    jdk + "-ifpin-10", jdk + "-ifpin-empty", Kind.OVER_NO_AGENT_DIFFERENCE, 5, "ms"));
            targets.add(new Target(name + ", 1,000 rules, wall to exit", "exit_wall_ms", jdk + "-ifpin-1000", none,
                    Kind.DIFFERENCE, 150, "ms"));
        }
        targets.add(new Target("Temurin 25, first pinned connect, from main's start", StartupMatrix.FIRST_CONNECT,
                "jdk25-ifpin-10", "jdk25-none", Kind.VALUE, 100, "ms"));
        return List.copyOf(targets);
    }

    /** measure -> variant -> run -> value, in the order first seen. */
    private final Map<String, Map<String, TreeMap<Integer, Double>>> values = new LinkedHashMap<>();

    void add(String measure, String variant, int run, double value) {
        values.computeIfAbsent(measure, m -> new LinkedHashMap<>())
                .computeIfAbsent(variant, v -> new TreeMap<>()).put(run, value);
    }

    static HarnessReport read(List<String> lines) {
        HarnessReport report = new HarnessReport();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length != 4) {
                throw new IllegalArgumentException("expected measure, variant, run, value: " + line);
            }
            report.add(fields[0], fields[1], Integer.parseInt(fields[2]), Double.parseDouble(fields[3]));
        }
        // "zero": a baseline of 0 for absolute numbers (JMH), so every target reads the same way.
        for (Map<String, TreeMap<Integer, Double>> variants : report.values.values()) {
            if (variants.size() == 1 && !variants.containsKey("zero")) {
                TreeMap<Integer, Double> zero = new TreeMap<>();
                variants.values().iterator().next().keySet().forEach(run -> zero.put(run, 0.0));
                variants.put("zero", zero);
            }
        }
        return report;
    }

    /** The table: every measure, then the targets. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-34s %-22s %4s %12s %12s %12s%n", "measure", "variant", "runs", "min",
                "median", "max"));
        values.forEach((measure, variants) -> variants.forEach((variant, runs) -> {
            if (variant.equals("zero")) {
                return;
            }
            double[] sorted = sorted(runs.values());
            out.append(String.format(Locale.ROOT, "%-34s %-22s %4d %12s %12s %12s%n", measure, variant,
                    sorted.length, number(sorted[0]), number(median(sorted)), number(sorted[sorted.length - 1])));
        }));
        out.append(String.format(Locale.ROOT, "%n%-58s %9s %9s %9s %10s  %s%n", "issue 7 target (run by run)", "min",
                "median", "max", "target", "met"));
        for (Target target : TARGETS) {
            out.append(targetLine(target, null));
        }
        out.append(StartupMatrix.table(this));
        out.append(String.format(Locale.ROOT, "%n%-58s %9s %9s %9s %10s %9s  %s%n",
                "issue 13 target (pair by pair; floor: empty agent)", "min", "median", "max", "target", "floor",
                "met"));
        for (Target target : STARTUP_TARGETS) {
            out.append(targetLine(target, floor(target)));
        }
        return out.toString();
    }

    /** One target's line; {@code floor}: the floor's column (issue 13's table), or null for none. */
    private String targetLine(Target target, String floor) {
        double[] result = evaluate(target);
        String limit = (target.kind() == Kind.RATIO ? ">= " : "<= ") + number(target.limit()) + " " + target.unit();
        String floorColumn = floor == null ? "" : String.format(Locale.ROOT, " %9s", floor);
        if (result == null) {
            return String.format(Locale.ROOT, "%-58s %9s %9s %9s %10s%s  %s%n", target.label(), "-", "-", "-", limit,
                    floorColumn, "not measured");
        }
        return String.format(Locale.ROOT, "%-58s %9s %9s %9s %10s%s  %s%n", target.label(), number(result[0]),
                number(median(result)), number(result[result.length - 1]), limit, floorColumn,
                verdict(target, result));
    }

    /**
     * The floor beside a startup target: the median difference an agent that does nothing makes to the same figure
     * on the same JDK; "-" where the target is not a difference from no agent.
     */
    String floor(Target target) {
        if (target.kind() != Kind.DIFFERENCE || !StartupMatrix.isMatrixVariant(target.variant())
                || !target.baseline().equals(StartupMatrix.noAgent(target.variant()))) {
            return "-";
        }
        double[] floor = evaluate(StartupMatrix.overNoAgent(target.measure(), StartupMatrix.floor(target.variant())));
        return floor == null ? "-" : StartupMatrix.format(median(floor), true);
    }

    /**
     * yes / NO when every run agrees; "unresolved" when some runs meet the target and some do not (the machine's
     * noise is larger than the margin: decide with the in-process JMH numbers); "noise" when every run has the agent
     * make a connect cheaper than without it, which only noise can do.
     */
    static String verdict(Target target, double[] sorted) {
        double min = sorted[0];
        double max = sorted[sorted.length - 1];
        boolean agentAgainstBaseline = target.kind() == Kind.DIFFERENCE || target.kind() == Kind.OVER_SETSOCKOPT;
        if (agentAgainstBaseline && max < 0) {
            return "noise (agent < baseline)";
        }
        boolean allMet = target.kind() == Kind.RATIO ? min >= target.limit() : max <= target.limit();
        boolean noneMet = target.kind() == Kind.RATIO ? max < target.limit() : min > target.limit();
        return allMet ? "yes" : noneMet ? "NO" : "unresolved (runs disagree)";
    }

    /** Sorted per-run results of a target, or null when a side was not measured. */
    double[] evaluate(Target target) {
        Map<String, TreeMap<Integer, Double>> variants = values.get(target.measure());
        if (target.kind() == Kind.VALUE) {
            double[] own = sortedValues(target.measure(), target.variant());
            return own.length == 0 ? null : own;
        }
        if (variants == null || !variants.containsKey(target.variant()) || !variants.containsKey(target.baseline())) {
            return null;
        }
        if (target.kind() == Kind.OVER_NO_AGENT_DIFFERENCE) {
            TreeMap<Integer, Double> measured = StartupMatrix.overNoAgentByRound(variants, target.variant());
            TreeMap<Integer, Double> baseline = StartupMatrix.overNoAgentByRound(variants, target.baseline());
            List<Double> results = new ArrayList<>();
            measured.forEach((round, value) -> {
                Double base = baseline.get(round);
                if (base != null) {
                    results.add(value - base);
                }
            });
            return results.isEmpty() ? null : sorted(results);
        }
        TreeMap<Integer, Double> setsockopt = null;
        if (target.kind() == Kind.OVER_SETSOCKOPT) {
            Map<String, TreeMap<Integer, Double>> floor = values.get("c_setsockopt_ns");
            if (floor == null || !floor.containsKey("c")) {
                return null;
            }
            setsockopt = floor.get("c");
        }
        TreeMap<Integer, Double> measured = variants.get(target.variant());
        TreeMap<Integer, Double> baseline = variants.get(target.baseline());
        List<Double> results = new ArrayList<>();
        for (Map.Entry<Integer, Double> run : measured.entrySet()) {
            Double base = baseline.get(run.getKey());
            if (base == null) {
                continue;
            }
            double value = run.getValue();
            results.add(switch (target.kind()) {
                case DIFFERENCE -> value - base;
                case RATIO -> value / base;
                // the same run's C setsockopt: the machine's load moves the floor too
                case OVER_SETSOCKOPT -> (value - base) / setsockopt.getOrDefault(run.getKey(),
                        median(sorted(setsockopt.values())));
                case VALUE, OVER_NO_AGENT_DIFFERENCE -> throw new AssertionError(target.kind()); // handled above
            });
        }
        return results.isEmpty() ? null : sorted(results);
    }

    /** A variant's values, sorted; empty when not measured. */
    double[] sortedValues(String measure, String variant) {
        TreeMap<Integer, Double> runs = values.getOrDefault(measure, Map.of()).get(variant);
        return runs == null ? new double[0] : sorted(runs.values());
    }

    /** How many runs a variant has of a measure. */
    int runs(String measure, String variant) {
        return sortedValues(measure, variant).length;
    }

    /** The variants of a measure, in the order first seen. */
    List<String> variants(String measure) {
        return new ArrayList<>(values.getOrDefault(measure, Map.of()).keySet());
    }

    /** Throughput by platform thread count (measures {@code connects_per_s_t<N>}), one line per variant. */
    String throughputSvg() {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        values.forEach((measure, variants) -> {
            if (!measure.matches("connects_per_s_t\\d+")) {
                return;
            }
            double threads = Double.parseDouble(measure.substring("connects_per_s_t".length()));
            variants.forEach((variant, runs) -> series.computeIfAbsent(variant, v -> new ArrayList<>())
                    .add(new double[] {threads, median(sorted(runs.values()))}));
        });
        series.values().forEach(points -> points.sort((a, b) -> Double.compare(a[0], b[0])));
        return Svg.lineChart("Connects per second by thread count (median of the runs)", "platform threads (log)",
                "connects / s", true, series);
    }

    static double[] sorted(java.util.Collection<Double> values) {
        double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(array);
        return array;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** No exponent; whole numbers from 100 (and whole values from 10), else three significant digits: 0.954, 41.2, 31234. */
    static String number(double value) {
        double magnitude = Math.abs(value);
        if (value == 0) {
            return "0";
        }
        if (magnitude >= 100 || value == Math.rint(value) && magnitude >= 10) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, magnitude >= 10 ? "%.1f" : magnitude >= 1 ? "%.2f" : "%.3f", value);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: HarnessReport raw.tsv [plot-dir]");
            System.exit(64);
        }
        HarnessReport report = read(Files.readAllLines(Path.of(args[0])));
        System.out.print(report.table());
        if (args.length == 2) {
            Path svg = Path.of(args[1], "connect-throughput.svg");
            Files.writeString(svg, report.throughputSvg());
            System.err.println("[harness] wrote " + svg);
        }
    }
}
