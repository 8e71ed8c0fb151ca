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
        for (HarnessReport.Target target : HarnessReport.TARGETS) {
            String measure = target.measure().replaceAll("_t\\d+$", "_t"); // recorded as connects_per_s_t$threads
            if (!script.contains(measure)) {
                missing.add(target.measure());
            }
        }
        assertEquals(List.of(), missing);
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
        return HarnessReport.TARGETS.stream().filter(t -> t.label().equals(label)).findFirst().orElseThrow();
    }

    private static String line(String table, String start) {
        return table.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(table));
    }
}
