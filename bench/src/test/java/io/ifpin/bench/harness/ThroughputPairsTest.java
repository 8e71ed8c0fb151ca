package io.ifpin.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table of bench/harness.sh --throughput-only: ratios round by round, and the A/A band they are judged by. */
class ThroughputPairsTest {

    /** Three rounds per JDK: ifpin, self and self-again connects/s, and CPU per connect. */
    private static HarnessReport report(String jdk, double[][] rounds) {
        return HarnessReport.read(lines("", jdk, rounds));
    }

    /** The lines of {@code bench/target/harness/raw.tsv}; {@code set}: "" or {@link ThroughputPairs#INPROC}. */
    private static List<String> lines(String set, String jdk, double[][] rounds) {
        List<String> lines = new ArrayList<>();
        for (int round = 1; round <= rounds.length; round++) {
            double[] r = rounds[round - 1];
            lines.add(set + "connects_per_s_t64\t" + jdk + "-ifpin\t" + round + "\t" + r[0]);
            lines.add(set + "connects_per_s_t64\t" + jdk + "-self\t" + round + "\t" + r[1]);
            lines.add(set + "connects_per_s_t64\t" + jdk + "-self-again\t" + round + "\t" + r[2]);
            lines.add(set + "cpu_us_per_connect\t" + jdk + "-ifpin\t" + round + "\t" + r[3]);
            lines.add(set + "cpu_us_per_connect\t" + jdk + "-self\t" + round + "\t" + r[4]);
            lines.add(set + "cpu_us_per_connect\t" + jdk + "-self-again\t" + round + "\t" + r[4]);
        }
        return lines;
    }

    @Test
    void ratiosAreTakenRoundByRound() {
        HarnessReport report = report("jdk25", new double[][] {
                {19_000, 20_000, 21_000, 50, 48}, // ifpin 0.95, A/A 1.05
                {28_500, 30_000, 27_000, 40, 39}, // a quick round for all: 0.95 and 0.9
                {9_800, 10_000, 10_000, 90, 88}}); // a slow one: 0.98 and 1.0
        List<HarnessReport.Target> targets = ThroughputPairs.targets("jdk25", "");
        assertArrayEquals(new double[] {0.95, 0.95, 0.98}, report.evaluate(targets.get(0)), 1e-9);
        assertArrayEquals(new double[] {0.9, 1.0, 1.05}, report.evaluate(targets.get(1)), 1e-9);
        assertArrayEquals(new double[] {1, 2, 2}, report.evaluate(targets.get(2)), 1e-9);
        assertEquals(List.of("jdk25"), ThroughputPairs.jdks(report));
        assertEquals("jdk25: ifpin / self-pinned 0.950 (target >= 0.970): not met at the median; inside the A/A band"
                + " [0.900, 1.05]: not resolvable from noise on this machine", ThroughputPairs.verdict(report, "jdk25", ""));
    }

    @Test
    void aMedianOutsideTheBandIsResolved() {
        HarnessReport report = report("jdk17", new double[][] {
                {18_000, 20_000, 20_200, 50, 48},
                {18_000, 20_000, 19_800, 50, 48},
                {18_200, 20_000, 20_000, 50, 48}});
        String verdict = ThroughputPairs.verdict(report, "jdk17", "");
        assertEquals("jdk17: ifpin / self-pinned 0.900 (target >= 0.970): not met at the median; outside the A/A"
                + " band [0.990, 1.01]", verdict);
        String table = ThroughputPairs.table(report);
        assertTrue(table.contains("jdk17: connects/s, A/A: self / self                          3    0.990     1.00"
                + "     1.01"), table);
    }

    @Test
    void phasesOfOneProcessAreASetOfTheirOwn() {
        List<String> lines = new ArrayList<>(lines("", "jdk25", new double[][] {{10_000, 20_000, 20_000, 50, 48}}));
        lines.addAll(lines(ThroughputPairs.INPROC, "jdk25", new double[][] {
                {19_700, 20_000, 19_900, 50, 48}, {19_500, 20_000, 20_100, 50, 48}}));
        HarnessReport report = HarnessReport.read(lines);
        assertArrayEquals(new double[] {0.5}, report.evaluate(ThroughputPairs.targets("jdk25", "").get(0)), 1e-9);
        assertEquals("jdk25, one process: ifpin / self-pinned 0.980 (target >= 0.970): met at the median; outside the"
                + " A/A band [0.995, 1.01]", ThroughputPairs.verdict(report, "jdk25", ThroughputPairs.INPROC));
        assertTrue(ThroughputPairs.table(report).contains("jdk25, one process: connects/s, ifpin / self"),
                ThroughputPairs.table(report));
    }
}
