package io.ifpin.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The startup matrix of bench/harness.sh (issue 13): whole JVMs of {@code io.ifpin.bench.app.StartupApp}, a main
 * that returns at once, per JDK and agent case, each paired with a run without an agent made right before or after it.
 *
 * <p>Naming, which the harness and this class share: a variant is {@code jdk<N>-<case>} ({@link #CASES}); its
 * no-agent partner is {@code jdk<N>-none}, and the floor of any agent {@code jdk<N>-empty-agent}. A run number is a
 * pair: {@code round * }{@value #PAIRS_PER_ROUND}{@code  + k}, the same for both runs of the pair, so that
 * {@link HarnessReport#evaluate} pairs them by run number like every other target, and two variants' differences can
 * be compared round by round ({@link HarnessReport.Kind#OVER_NO_AGENT_DIFFERENCE}).
 */
final class StartupMatrix {

    /** Pair numbers are round * 10 + k: at most 9 pairs per JDK in a round. */
    static final int PAIRS_PER_ROUND = 10;

    /** Agent case (the variant after {@code jdk<N>-}) -> its row label. */
    static final Map<String, String> CASES = orderedMap(
            "none", "no agent",
            "empty-agent", "an agent that does nothing",
            "ifpin-empty", "ifpin, empty config",
            "ifpin-10", "ifpin, 10 rules",
            "ifpin-1000", "ifpin, 1,000 rules");

    /** Measure -> column heading. */
    static final Map<String, String> FIGURES = orderedMap(
            "exit_wall_ms", "wall to exit, ms",
            "exit_cpu_ms", "CPU user+sys, ms",
            "peak_rss_mib", "peak RSS, MiB",
            "main_start_ms", "launch to main, ms",
            "main_to_exit_ms", "main to exit, ms");

    /** Launch-free measure: from main's first line to the end of its first connect (StartupApp connect). */
    static final String FIRST_CONNECT = "first_connect_ms";

    private StartupMatrix() {
    }

    /** {@code jdk17-ifpin-10} -> {@code jdk17-none}. */
    static String noAgent(String variant) {
        return jdk(variant) + "-none";
    }

    /** {@code jdk17-ifpin-10} -> {@code jdk17-empty-agent}. */
    static String floor(String variant) {
        return jdk(variant) + "-empty-agent";
    }

    static boolean isMatrixVariant(String variant) {
        return variant.matches("jdk\\d+-.+");
    }

    private static String jdk(String variant) {
        return variant.substring(0, variant.indexOf('-'));
    }

    /** The matrix, one block per JDK measured; empty when the harness ran no startup matrix. */
    static String table(HarnessReport report) {
        StringBuilder out = new StringBuilder();
        for (String jdk : jdks(report)) {
            out.append(String.format(Locale.ROOT, "%nstartup matrix, %s: an app whose main returns at once; no agent"
                    + " as measured, each agent as the difference from its own no-agent run (the pair's order"
                    + " alternates), median [min, max]; pairs: %d%n", label(jdk),
                    report.runs(FIGURES.keySet().iterator().next(), jdk + "-ifpin-empty")));
            StringBuilder heading = new StringBuilder(String.format(Locale.ROOT, "%-28s", ""));
            FIGURES.values().forEach(figure -> heading.append(String.format(Locale.ROOT, " %-22s", figure)));
            out.append(heading.toString().stripTrailing()).append(System.lineSeparator());
            CASES.forEach((agentCase, label) -> {
                String variant = jdk + "-" + agentCase;
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-28s", label));
                for (String measure : FIGURES.keySet()) {
                    double[] values = agentCase.equals("none") ? report.sortedValues(measure, variant)
                            : report.evaluate(overNoAgent(measure, variant));
                    row.append(String.format(Locale.ROOT, " %-22s", cell(values, !agentCase.equals("none"))));
                }
                out.append(row.toString().stripTrailing()).append(System.lineSeparator());
            });
            out.append(String.format(Locale.ROOT, "first connect to the lab's server, from main's first line, ms:"
                    + " no agent %s; ifpin, 10 rules (pinned) %s%n",
                    cell(report.sortedValues(FIRST_CONNECT, jdk + "-none"), false),
                    cell(report.sortedValues(FIRST_CONNECT, jdk + "-ifpin-10"), false)));
        }
        return out.toString();
    }

    /** The variant's measure minus its pair's no-agent run. */
    static HarnessReport.Target overNoAgent(String measure, String variant) {
        return new HarnessReport.Target(variant + " over no agent", measure, variant, noAgent(variant),
                HarnessReport.Kind.DIFFERENCE, Double.NaN, "");
    }

    /** "JDK 17", or "Temurin 25" for the Temurin build the harness uses for Java 25. */
    static String label(String jdk) {
        String version = jdk.substring("jdk".length());
        return version.equals("17") ? "JDK 17" : version.equals("25") ? "Temurin 25" : "Java " + version;
    }

    /** "median [min, max]", signed for differences; "-" when not measured. */
    static String cell(double[] sorted, boolean signed) {
        if (sorted == null || sorted.length == 0) {
            return "-";
        }
        return format(HarnessReport.median(sorted), signed) + " [" + format(sorted[0], signed) + ", "
                + format(sorted[sorted.length - 1], signed) + "]";
    }

    static String format(double value, boolean signed) {
        return (signed && value >= 0 ? "+" : "") + HarnessReport.number(value);
    }

    private static List<String> jdks(HarnessReport report) {
        List<String> jdks = new ArrayList<>();
        for (String variant : report.variants(FIGURES.keySet().iterator().next())) {
            String jdk = jdk(variant);
            if (isMatrixVariant(variant) && !jdks.contains(jdk)) {
                jdks.add(jdk);
            }
        }
        return jdks;
    }

    /** Round of a pair's run number. */
    static int round(int run) {
        return run / PAIRS_PER_ROUND;
    }

    /** The variant's differences from its pairs' no-agent runs, by round. */
    static TreeMap<Integer, Double> overNoAgentByRound(Map<String, TreeMap<Integer, Double>> variants,
                                                       String variant) {
        TreeMap<Integer, Double> byRound = new TreeMap<>();
        TreeMap<Integer, Double> measured = variants.get(variant);
        TreeMap<Integer, Double> none = variants.get(noAgent(variant));
        if (measured == null || none == null) {
            return byRound;
        }
        measured.forEach((run, value) -> {
            Double base = none.get(run);
            if (base != null) {
                byRound.put(round(run), value - base);
            }
        });
        return byRound;
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
