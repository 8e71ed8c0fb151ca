package io.ifpin.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19 item 2, past the loading: a failure while the agent starts (an OutOfMemoryError right after a large config
 * was loaded) stops the JVM when the config refuses sockets, instead of running the application unpinned.
 */
class AgentStartFailureTest {
    @TempDir
    Path dir;

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run run(String config) throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), config);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BrokenInstrumentationMain.class.getName(),
                file.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aPolicyThatRefusesSocketsStopsTheJvm() throws Exception {
        Run run = run("ifpin.default-action = deny\n"
                + "ifpin.rules = [ { name = server, cidrs = [\"203.0.113.10/32\"], interface = b0 } ]\n");
        assertEquals(ConfigStage.EXIT_INVALID_CONFIG, run.exit(), run.stderr());
        assertFalse(run.stdout().contains("APPLICATION RUNS"), run.stdout());
        assertTrue(run.stderr().contains("[ifpin] ERROR the agent failed to start (java.lang.OutOfMemoryError: Java"
                + " heap space (test)), and " + dir.resolve("ifpin.conf") + " has deny or fail-closed rules (or"
                + " default-action = deny), which must not run unpinned. Fix: "), run.stderr());
    }

    @Test
    void aFailClosedRuleStopsTheJvmToo() throws Exception {
        Run run = run("ifpin.rules = [ { name = server, cidrs = [\"203.0.113.10/32\"], interface = b0,"
                + " on-error = fail-closed } ]\n");
        assertEquals(ConfigStage.EXIT_INVALID_CONFIG, run.exit(), run.stderr());
    }

    @Test
    void aFailOpenPolicyLeavesTheFailureToTheAgentsReportAsBefore() throws Exception {
        Run run = run("ifpin.rules = [ { name = server, cidrs = [\"203.0.113.10/32\"], interface = b0 } ]\n");
        assertNotEquals(ConfigStage.EXIT_INVALID_CONFIG, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("OutOfMemoryError"), run.stderr()); // thrown on, to IfpinAgent's report
    }
}
