package io.ifpin.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table code of bench/harness.sh, so that the harness cannot rot unnoticed between full runs. */
class HarnessReportTest {

    private static HarnessReport report(String... lines) {
        return HarnessReport.read(List.of(lines));
    }

    @Test
    void minMedianMaxPerVariant() {
        String table = report("# header", "startup_ms\tnone\t1\t500", "startup_ms\tnone\t2\t700",
                "startup_ms\tnone\t3\t600").table();
        assertTrue(table.contains("startup_ms                         none                      3          500"
                + "          600          700"), table);
    }

    @Test
    void targetsPairRunsByNumber() {
        HarnessReport report = report(
                "startup_ms\tnone\t1\t500", "startup_ms\tagent-1000\t1\t640",
                "startup_ms\tnone\t2\t900", "startup_ms\tagent-1000\t2\t960", // a slow run: both sides slow
                "startup_ms\tnone\t3\t550", "startup_ms\tagent-1000\t3\t800");
        HarnessReport.Target startup = target("startup, 1,000 rules");
        assertArrayEquals(new double[] {60, 140, 250}, report.evaluate(startup));
        assertTrue(report.table().contains("startup, 1,000 rules"), report.table());
        // median 140 meets the target, but one run (250) does not: the runs disagree
        assertTrue(line(report.table(), "startup, 1,000 rules").endsWith("unresolved (runs disagree)"),
                report.table());
    }

    @Test
    void ratiosAndMultiplesOfTheSetsockoptFloor() {
        HarnessReport report = report(
                "c_setsockopt_ns\tc\t1\t1000", "c_setsockopt_ns\tc\t2\t3000",
                "connect_pinned_ns\tnone\t1\t30000", "connect_pinned_ns\tagent-10000\t1\t32000",
                "connect_pinned_ns\tnone\t2\t31000", "connect_pinned_ns\tagent-10000\t2\t36000",
                "connects_per_s_t64\tnone\t1\t20000", "connects_per_s_t64\tagent-10000\t1\t18000",
                "hook_pinned_ns\tnone\t1\t1", "hook_pinned_ns\tjdk25-ffm\t1\t1201",
                "hook_pinned_ns\tnone\t2\t1", "hook_pinned_ns\tjdk25-ffm\t2\t3601",
                "hook_pinned_ns\tnone\t3\t1", "hook_pinned_ns\tjdk25-ffm\t3\t2401");
        // each run against its own setsockopt: 2000 / 1000 ns and 5000 / 3000 ns are 2x and 1.67x (not met)
        assertArrayEquals(new double[] {5000 / 3000.0, 2}, report.evaluate(target("connect, pinned (10,000 rules), x C setsockopt")),
                1e-9);
        // 1200 / 1000, 3600 / 3000, and a run without a floor against the median floor (2000): 1.2x each (met)
        assertArrayEquals(new double[] {1.2, 1.2, 1.2}, report.evaluate(target("hook, pinned, JDK 25, FFM (in-process),"
                + " x C setsockopt")), 1e-9);
        assertTrue(line(report.table(), "hook, pinned, JDK 25, FFM").endsWith("yes"), report.table());
        assertTrue(line(report.table(), "hook, pinned, JDK 17, JNA").endsWith("not measured"), report.table());
        assertArrayEquals(new double[] {0.9}, report.evaluate(target("throughput, 64 threads, no rule matches")));
        assertTrue(line(report.table(), "connect, pinned (10,000 rules)").endsWith("NO"), report.table());
        assertTrue(line(report.table(), "throughput, 64 threads, no rule matches").endsWith("NO"), report.table());
        assertTrue(line(report.table(), "heap, 10,000 rules").endsWith("not measured"), report.table());
    }

    @Test
    void aSingleVariantMeasureIsAgainstZero() {
        HarnessReport report = report("match_p50_ns\tagent-10000\t1\t150", "match_p50_ns\tagent-10000\t2\t250");
        assertArrayEquals(new double[] {150, 250}, report.evaluate(target("rule match p50, 10,000 rules (JMH, worst case)")));
        assertTrue(line(report.table(), "rule match p50").endsWith("unresolved (runs disagree)"), report.table());
        assertTrue(!report.table().contains(" zero "), report.table());
    }

    @Test
    void verdicts() {
        HarnessReport.Target startup = target("startup, 1,000 rules");
        HarnessReport.Target throughput = target("throughput, 64 threads, no rule matches");
        assertEquals("yes", HarnessReport.verdict(startup, new double[] {20, 90, 150}));
        assertEquals("NO", HarnessReport.verdict(startup, new double[] {151, 400}));
        assertEquals("unresolved (runs disagree)", HarnessReport.verdict(startup, new double[] {100, 200}));
        assertEquals("noise (agent < baseline)", HarnessReport.verdict(startup, new double[] {-30, -1}));
        assertEquals("yes", HarnessReport.verdict(throughput, new double[] {0.95, 1.2}));
        assertEquals("NO", HarnessReport.verdict(throughput, new double[] {0.5, 0.94}));
        assertEquals("unresolved (runs disagree)", HarnessReport.verdict(throughput, new double[] {0.5, 1.1}));
    }

    @Test
    void missingSidesAreNotMeasured() {
        assertNull(report("startup_ms\tnone\t1\t500").evaluate(target("startup, 1,000 rules")));
        assertThrows(IllegalArgumentException.class, () -> report("startup_ms none 1 500"));
    }

    @Test
    void everyTargetNamesAMeasureTheHarnessRecords() throws Exception {
        String script = java.nio.file.Files.readString(java.nio.file.Path.of("harness.sh"));
        List<String> missing = new ArrayList<>();
        List<HarnessReport.Target> targets = new ArrayList<>(HarnessReport.TARGETS);
        targets.addAll(HarnessReport.STARTUP_TARGETS);
        for (HarnessReport.Target target : targets) {
            String measure = target.measure().replaceAll("_t\\d+$", "_t"); // recorded as connects_per_s_t$threads
            if (!script.contains(measure)) {
                missing.add(target.measure());
            }
        }
        assertEquals(List.of(), missing);
    }

    /** Two rounds of the startup matrix on JDK 17: pairs 11 to 15 and 21 to 25, each agent run with its own none. */
    private static HarnessReport startupMatrix() {
        return report(
                // round 1: the no-agent runs drift from 100 to 130 ms; each agent run is read against its own
                "exit_wall_ms\tjdk17-none\t11\t100", "exit_wall_ms\tjdk17-empty-agent\t11\t120",
                "exit_wall_ms\tjdk17-none\t12\t110", "exit_wall_ms\tjdk17-ifpin-empty\t12\t140",
                "exit_wall_ms\tjdk17-none\t13\t120", "exit_wall_ms\tjdk17-ifpin-10\t13\t190",
                "exit_wall_ms\tjdk17-none\t14\t130", "exit_wall_ms\tjdk17-ifpin-1000\t14\t400",
                "main_start_ms\tjdk17-none\t12\t50", "main_start_ms\tjdk17-ifpin-empty\t12\t70",
                "main_start_ms\tjdk17-none\t13\t60", "main_start_ms\tjdk17-ifpin-10\t13\t78",
                "peak_rss_mib\tjdk17-none\t11\t37", "peak_rss_mib\tjdk17-empty-agent\t11\t39.5",
                "peak_rss_mib\tjdk17-none\t13\t37.5", "peak_rss_mib\tjdk17-ifpin-10\t13\t50",
                "first_connect_ms\tjdk17-none\t15\t8", "first_connect_ms\tjdk17-ifpin-10\t15\t300",
                "main_to_exit_ms\tjdk17-none\t12\t6", "main_to_exit_ms\tjdk17-ifpin-empty\t12\t406",
                // round 2
                "exit_wall_ms\tjdk17-none\t21\t100", "exit_wall_ms\tjdk17-empty-agent\t21\t130",
                "exit_wall_ms\tjdk17-none\t22\t100", "exit_wall_ms\tjdk17-ifpin-empty\t22\t160",
                "exit_wall_ms\tjdk17-none\t23\t100", "exit_wall_ms\tjdk17-ifpin-10\t23\t170",
                "exit_wall_ms\tjdk17-none\t24\t100", "exit_wall_ms\tjdk17-ifpin-1000\t24\t350",
                "main_start_ms\tjdk17-none\t22\t40", "main_start_ms\tjdk17-ifpin-empty\t22\t80",
                "main_start_ms\tjdk17-none\t23\t40", "main_start_ms\tjdk17-ifpin-10\t23\t70",
                "first_connect_ms\tjdk17-none\t25\t9", "first_connect_ms\tjdk17-ifpin-10\t25\t250",
                "first_connect_ms\tjdk25-none\t15\t7", "first_connect_ms\tjdk25-ifpin-10\t15\t90",
                "first_connect_ms\tjdk25-none\t25\t7", "first_connect_ms\tjdk25-ifpin-10\t25\t120");
    }

    @Test
    void startupMatrixReadsEachAgentRunAgainstItsOwnNoAgentRun() {
        HarnessReport report = startupMatrix();
        // 190 - 120 and 170 - 100 (not 190 - the median of every no-agent run)
        assertArrayEquals(new double[] {70, 70}, report.evaluate(target("JDK 17, 10 rules, wall to exit")));
        assertArrayEquals(new double[] {30, 60}, report.evaluate(target("JDK 17, empty config, wall to exit")));
        assertArrayEquals(new double[] {12.5}, report.evaluate(target("JDK 17, 10 rules, peak RSS")));
        String table = report.table();
        assertTrue(table.contains("startup matrix, JDK 17: "), table);
        assertTrue(table.contains(" median [min, max]; pairs: 2"), table);
        // no agent as measured (8 runs), the agents as differences from their partners
        assertTrue(line(table, "no agent ").contains(" 100 [100, 130] "), table);
        assertTrue(line(table, "an agent that does nothing").contains(" +25 [+20, +30] "), table);
        assertTrue(line(table, "ifpin, 1,000 rules").contains(" +260 [+250, +270] "), table);
        assertTrue(line(table, "ifpin, empty config").endsWith(" +400 [+400, +400]"), table); // main to exit
        assertTrue(line(table, "ifpin, 10 rules").contains(" +12.5 [+12.5, +12.5] "), table);
        assertTrue(line(table, "first connect to the lab's server").contains("no agent 8.50 [8.00, 9.00]; ifpin, 10 rules"
                + " (pinned) 275 [250, 300]"), table);
        assertTrue(!table.contains("startup matrix, Temurin 25"), "no exit runs on 25: no block" + table);
    }

    @Test
    void startupTargetsStandBesideTheFloor() {
        String table = startupMatrix().table();
        assertTrue(table.contains("issue 13 target (pair by pair; floor: empty agent)"), table);
        // wall: the floor is the empty agent's median difference, +25 ms
        String empty = line(table, "JDK 17, empty config, wall to exit");
        assertTrue(empty.matches(".* 30 +45 +60 +<= 40 ms +\\+25  unresolved \\(runs disagree\\)"), empty);
        assertTrue(line(table, "JDK 17, 10 rules, wall to exit").matches(".*<= 80 ms +\\+25  yes"), table);
        assertTrue(line(table, "JDK 17, 10 rules, peak RSS").matches(".*<= 15 MiB +\\+2\\.50  yes"), table);
        assertTrue(line(table, "JDK 17, 1,000 rules, wall to exit").endsWith("NO"), table);
        assertTrue(line(table, "Temurin 25, empty config, wall to exit").endsWith("-  not measured"), table);
    }

    @Test
    void mainStartIsComparedRoundByRoundOverEachOwnNoAgentRun() {
        HarnessReport report = startupMatrix();
        // round 1: (78 - 60) - (70 - 50) = -2; round 2: (70 - 40) - (80 - 40) = -10: main starts earlier
        assertArrayEquals(new double[] {-10, -2},
                report.evaluate(target("JDK 17, 10 rules, main starts after empty config's")));
        // earlier is a real result here, not noise; and the floor does not apply
        assertTrue(line(report.table(), "JDK 17, 10 rules, main starts").matches(".*<= 5\\.00 ms +-  yes"),
                report.table());
    }

    @Test
    void firstPinnedConnectIsJudgedOnItsOwnValue() {
        HarnessReport report = startupMatrix();
        assertArrayEquals(new double[] {90, 120}, report.evaluate(target("Temurin 25, first pinned connect, from"
                + " main's start")));
        assertTrue(line(report.table(), "Temurin 25, first pinned connect").endsWith("unresolved (runs disagree)"),
                report.table());
        assertEquals("yes", HarnessReport.verdict(target("Temurin 25, first pinned connect, from main's start"),
                new double[] {40, 100}));
    }

    @Test
    void throughputPlotHasOneLinePerVariant() {
        String svg = report(
                "connects_per_s_t1\tnone\t1\t10000", "connects_per_s_t64\tnone\t1\t20000",
                "connects_per_s_t1\tagent-10000\t1\t9000", "connects_per_s_t64\tagent-10000\t1\t19000",
                "connects_per_s_t64_vthreads\tnone\t1\t1").throughputSvg();
        assertTrue(svg.startsWith("<svg"), svg);
        assertEquals(2, svg.split("<polyline").length - 1, svg);
        assertTrue(svg.contains(">agent-10000</text>"), svg);
        assertTrue(svg.contains(">64</text>"), svg);
    }

    @Test
    void numbersAreWholeFromTenAndThreeDigitsBelow() {
        assertEquals("31234", HarnessReport.number(31234.4));
        assertEquals("41.2", HarnessReport.number(41.23));
        assertEquals("0.954", HarnessReport.number(0.9541));
        assertEquals("150", HarnessReport.number(150));
        assertEquals("-8.07", HarnessReport.number(-8.07));
    }

    private static HarnessReport.Target target(String label) {
        return java.util.stream.Stream.concat(HarnessReport.TARGETS.stream(), HarnessReport.STARTUP_TARGETS.stream())
                .filter(t -> t.label().equals(label)).findFirst().orElseThrow(() -> new AssertionError(label));
    }

    private static String line(String table, String start) {
        return table.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(table));
    }
}
