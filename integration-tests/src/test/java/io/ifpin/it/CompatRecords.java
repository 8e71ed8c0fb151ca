package io.ifpin.it;

import io.ifpin.demo.cases.Cases;
import io.ifpin.demo.cases.SocketCase;
import io.ifpin.it.LegacyAppOutput.CaseLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The raw material of the compatibility matrix in docs/compatibility.md: every PinningIT child run writes one file
 * {@code integration-tests/target/compat-results/<JDK>-<FAMILY>-<SCENARIO>.txt} with one line per case,
 * {@code <case> PASS|FAIL|NA <what the server saw>}. {@code scripts/compat-matrix.sh} turns them into the table.
 */
final class CompatRecords {

    private CompatRecords() {
    }

    static Path directory() {
        return ItEnv.repoRoot().resolve("integration-tests/target/compat-results");
    }

    /** Rows of other tests (listeners): {@code <case> PASS|FAIL|NA <detail>} lines, written as they are. */
    static void writeLines(TestJdk jdk, String family, String scenario, List<String> records) {
        List<String> lines = new ArrayList<>();
        lines.add("# java " + jdk.feature() + ", " + family + ", " + scenario);
        lines.addAll(records);
        try {
            Files.createDirectories(directory());
            Files.write(directory().resolve(jdk.name() + "-" + family + "-" + scenario + ".txt"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the compatibility records", e);
        }
    }

    static void write(TestJdk jdk, String family, String scenario, List<String> stdout, String expectedIp) {
        Map<String, CaseLine> lines = LegacyAppOutput.parse(stdout);
        List<String> records = new ArrayList<>();
        records.add("# java " + jdk.feature() + ", " + family + ", " + scenario + ", expected peer " + expectedIp);
        for (SocketCase socketCase : Cases.all()) {
            CaseLine line = lines.get(socketCase.name());
            String outcome;
            if (line == null) {
                outcome = "FAIL (no output)";
            } else if (line.notApplicable()) {
                outcome = "NA " + PinningIT.notApplicableBecause(socketCase, jdk);
            } else {
                outcome = (line.peerIp().filter(expectedIp::equals).isPresent() ? "PASS " : "FAIL ") + line.result();
            }
            records.add(socketCase.name() + " " + outcome);
        }
        writeLines(jdk, family, scenario, records.subList(1, records.size()));
    }
}
