package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.ReloadFaultsApp;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, item 1, against the real kernel: an allow-list with a fail-closed rule and {@code reload-interval = 200ms}
 * whose file is rewritten in place (truncated, part written, the rest written) under a stream of connects lets
 * nothing through and nothing out by the wrong link, and says what happened; a lowering config that stays does apply
 * (so the counts are not empty by accident).
 */
class ReloadFaultsIT {
    private static final String B0_PREFIX = "198.51.100.";

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("rlf");
    @TempDir
    static Path work;

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aFileCaughtHalfWrittenNeverWidensThePolicy(TestJdk jdk) {
        String prefix = """
                ifpin.reload-interval = 200ms
                ifpin.rules = [ { name = server, cidrs = ["203.0.113.10/32"], interface = b0, on-error = fail-closed } ]
                """;
        String full = prefix + "ifpin.default-action = deny\n";
        Path conf = TestFiles.write(work.resolve("allow-list-" + jdk + ".conf"), full);
        Path prefixFile = TestFiles.write(work.resolve("prefix-" + jdk + ".txt"), prefix);
        Path fullFile = TestFiles.write(work.resolve("full-" + jdk + ".txt"), full);
        Path permissive = TestFiles.write(work.resolve("permissive-" + jdk + ".txt"), "ifpin.reload-interval = 200ms\n");
        ChildResult r = ChildJvm.on(jdk).agent(ItEnv.agentJar(), conf).classpath(ItEnv.testClasses())
                .main(ReloadFaultsApp.class.getName(), conf.toString(), prefixFile.toString(), fullFile.toString(),
                        permissive.toString(), "203.0.113.10", "203.0.113.20", "7000", B0_PREFIX)
                .timeout(Duration.ofMinutes(3)).runIn(lab);

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("WAITED ReloadFailures=1"), "the empty file was seen and refused" + r.describe());
        assertTrue(r.stdout().contains("SAW-WAIT true") && r.stdout().contains("SAW-BACK true"), r.describe());
        Matcher counts = Pattern.compile("COUNTS listed-pinned=(\\d+) listed-wrong-link=(\\d+) unlisted-let-through="
                + "(\\d+) unlisted-refused=(\\d+)").matcher(String.join("\n", r.stdout()));
        assertTrue(counts.find(), r.describe());
        assertEquals("0", counts.group(2), "no listed connect left by another link" + r.describe());
        assertEquals("0", counts.group(3), "no unlisted connect let through" + r.describe());
        assertTrue(Long.parseLong(counts.group(1)) > 0 && Long.parseLong(counts.group(4)) > 0, r.describe());

        String log = String.join("\n", r.agentLines());
        assertEquals(1, count(log, "ERROR config reload from " + conf + " refused: the file is empty, and the 1 rule(s)"
                + " of version "), log);
        assertEquals(1, count(log, ") lowers enforcement: unmatched sockets: refused (deny) -> allowed. It applies"
                + " only if the file stays unchanged for 1000 ms"), "the prefix, once" + log);
        assertTrue(log.contains("INFO config file " + conf + " is back to version "), log);
        assertFalse(log.contains("restart"), "no restart-only WARN for a file never applied" + log);

        assertTrue(r.stdout().contains("WAITED Reloads=1"), r.describe());
        assertTrue(log.contains("WARN config reload from " + conf + " lowers enforcement, applied now that the file"
                + " stayed unchanged for 1000 ms: unmatched sockets: refused (deny) -> allowed; rule 'server'"), log);
        assertTrue(r.stdout().contains("AFTER-SETTLE unlisted OK"), "a lowering config that stays applies"
                + r.describe());
    }

    private static long count(String text, String fragment) {
        return text.lines().filter(line -> line.contains(fragment)).count();
    }
}
