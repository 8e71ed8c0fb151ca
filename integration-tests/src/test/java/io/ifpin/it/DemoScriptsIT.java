package io.ifpin.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo scripts as a user runs them ({@code sudo demo/run.sh}, {@code sudo demo/routing-trap.sh}): each runs as
 * a child process with the reactor's agent jar ({@code IFPIN_AGENT_JAR}) and the test JVM's JDK ({@code JAVA_HOME}),
 * must exit 0, print its key lines and leave no namespace behind.
 *
 * <p>On timeout the script gets SIGTERM (its trap stops its server and deletes its lab); if it is still alive after
 * a grace period, its own descendants and then it are killed by PID, and its lab (id {@code demo<pid>} /
 * {@code trap<pid>}) is deleted with {@code netns-lab.sh down}. Nothing else is touched.
 */
class DemoScriptsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(240);
    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    @BeforeAll
    static void requireLabHost() {
        ItEnv.requireRoot(); // the demos need what a lab needs
    }

    @Test
    void runShPinsEveryCaseToB0() {
        Run run = runScript("demo/run.sh", "demo");
        assertEquals(0, run.exitCode, "exit code" + run.describe());
        for (String expected : List.of(
                "LegacyApp -> 203.0.113.10   (ifpin rules: config-samples/demo.conf)",
                "LegacyApp -> api.corp.example   (ifpin rules: config-samples/demo.conf)",
                "agent: [ifpin] INFO ifpin ",
                "VERDICT: PASS — all ")) {
            assertTrue(run.has(expected), "missing '" + expected + "'" + run.describe());
        }
        assertTrue(run.lines.stream().anyMatch(l -> l.matches("socket +\\| 192\\.0\\.2\\.2 \\(a0\\) +\\| 198\\.51\\.100\\.2 \\(b0\\) +\\|.*ok")),
                "the plain socket case: a0 without ifpin, b0 with it" + run.describe());
        assertFalse(run.has("MISS"), "a case missed b0" + run.describe());
    }

    @Test
    void routingTrapShowsTheWarningThenTheFix() {
        Run run = runScript("demo/routing-trap.sh", "trap");
        assertEquals(0, run.exitCode, "exit code" + run.describe());
        for (String expected : List.of(
                // the trap
                "==== step 1: b0 has no default route",
                "RTNETLINK answers: Network is unreachable",
                "[ifpin] WARN rule 'corp-api-by-address' (config-samples/demo.conf:16): no route to 203.0.113.10 via interface 'b0'",
                "[ifpin] WARN rule 'corp-api-by-address' (config-samples/demo.conf:16): no route to 2001:db8:f::10 via interface 'b0'",
                "socket tcp ERROR java.net.NoRouteToHostException: No route to host",
                "socket tcp ERROR java.net.SocketException: Network is unreachable",
                // explain, in the client namespace
                "=> pinned to b0 by rule 'corp-api-by-address'",
                "route check: rule 'corp-api-by-address' (config-samples/demo.conf:16): no route to 203.0.113.10 via interface 'b0'",
                // the fix
                "$ ip -n ifpin-trap" + run.pid + "-c route add default via 198.51.100.1 dev b0 metric 200",
                "203.0.113.10 via 198.51.100.1 dev b0 src 198.51.100.2",
                "2001:db8:f::10 from :: via 2001:db8:b::1 dev b0 src 2001:db8:b::2",
                "socket tcp PEER 198.51.100.2 ",
                "socket tcp PEER 2001:db8:b::2 ",
                "SAW tcp 198.51.100.2:",
                "SAW tcp [2001:db8:b::2]:",
                "VERDICT: PASS — routing trap shown")) {
            assertTrue(run.has(expected), "missing '" + expected + "'" + run.describe());
        }
        assertEquals(2, run.lines.stream().filter(l -> l.contains("ifpin said: no route warning")).count(),
                "no route warning after the fix, IPv4 and IPv6" + run.describe());
    }

    // ---- running a script -------------------------------------------------------------------------

    private Run runScript(String script, String labPrefix) {
        Path repo = ItEnv.repoRoot();
        Path log = work.resolve(script.replace('/', '-') + ".log");
        ProcessBuilder builder = new ProcessBuilder(repo.resolve(script).toString())
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("IFPIN_AGENT_JAR", ItEnv.agentJar().toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        ItEnv.demoJar(); // fails clearly if missing, rather than letting the script build it
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + script, e);
        }
        boolean timedOut = false;
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                stop(process, labPrefix + process.pid());
            }
        } catch (InterruptedException e) {
            stop(process, labPrefix + process.pid());
            Thread.currentThread().interrupt();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<String> lines = read(log);
        String labId = labPrefix + process.pid();
        int exitCode = timedOut || process.isAlive() ? -1 : process.exitValue();
        System.out.println("DemoScriptsIT: " + script + " exited " + (timedOut ? "(timed out)" : exitCode)
                + " after " + millis + " ms");
        Run run = new Run(script, process.pid(), exitCode, timedOut, millis, lines);
        assertFalse(timedOut, script + " did not finish within " + TIMEOUT.toSeconds() + " s" + run.describe());
        String namespaces = namespaces();
        assertFalse(namespaces.contains("ifpin-" + labId + "-"), script + " left its lab behind: " + namespaces);
        return run;
    }

    /** SIGTERM (the script cleans up), then, only if needed, our own descendants and the script by PID. */
    private static void stop(Process process, String labId) {
        process.destroy();
        try {
            if (process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Process down = new ProcessBuilder(ItEnv.labScript().toString(), "down", labId).inheritIO().start();
            down.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("could not delete lab " + labId + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code ip netns list}, for checks that a script left no lab behind (also BenchHarnessIT). */
    static String namespaces() {
        try {
            Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor(30, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            return "(ip netns list failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static List<String> read(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("(could not read " + log + ": " + e + ")");
        }
    }

    private record Run(String script, long pid, int exitCode, boolean timedOut, long millis, List<String> lines) {

        boolean has(String fragment) {
            return lines.stream().anyMatch(line -> line.contains(fragment));
        }

        String describe() {
            return "\n--- " + script + " (pid " + pid + ", exit " + exitCode + (timedOut ? ", timed out" : "") + ", "
                    + millis + " ms) output:\n" + String.join("\n", lines);
        }
    }
}
