package io.ifpin.it;

import io.ifpin.demo.cases.Cases;
import io.ifpin.demo.cases.SocketCase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated matrix in docs/compatibility.md must cover exactly the demo cases PinningIT runs, in catalogue order,
 * then ListenerIT's listener kinds,
 * each with one generated cell per JDK and family: a case added without regenerating the table (scripts/
 * compat-matrix.sh), or a row left for a removed case, fails here. Needs no lab.
 */
class CompatibilityDocIT {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\| ([^|]+) \\|(.*)\\|$");
    private static final Pattern CELL = Pattern.compile("✓|n/a \\(.+\\)|✗ .+|not run");

    @Test
    void matrixRowsAreTheTestedCases() throws IOException {
        String doc = Files.readString(ItEnv.repoRoot().resolve("docs/compatibility.md"));
        int begin = doc.indexOf("<!-- compat-matrix:begin");
        int end = doc.indexOf("<!-- compat-matrix:end -->");
        assertTrue(begin >= 0 && end > begin, "docs/compatibility.md has no compat-matrix section");
        List<String> rows = new ArrayList<>();
        for (String line : doc.substring(begin, end).split("\n")) {
            Matcher row = ROW.matcher(line);
            if (!row.matches()) {
                continue;
            }
            rows.add(row.group(1));
            String[] cells = row.group(3).split("\\|");
            assertEquals(4, cells.length, "row " + row.group(1) + " needs one cell per JDK and family: " + line);
            for (String cell : cells) {
                assertTrue(CELL.matcher(cell.trim()).matches(), "row " + row.group(1) + ": '" + cell.trim()
                        + "' is not a generated cell");
                assertTrue(!cell.trim().equals("not run"), "row " + row.group(1) + " was not run on every JDK/family;"
                        + " run the integration tests as root, then scripts/compat-matrix.sh");
            }
        }
        List<String> cases = Cases.all().stream().map(SocketCase::name).collect(Collectors.toList());
        ListenerIT.KINDS.forEach(kind -> cases.add("listener-" + kind));
        assertEquals(cases, rows, "docs/compatibility.md's matrix is not the list of demo cases: run the integration"
                + " tests, then scripts/compat-matrix.sh, and commit docs/compatibility.md");
    }
}
