package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.LoadClassApp;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, items 2, 6 and 7, with the packaged agent in real JVMs: a FIFO or a device as the config neither hangs the
 * JVM nor {@code check}; running out of memory while loading a config stops the JVM with one message (exit 2) instead
 * of running the application unpinned after a stack trace; a missing plain include is a WARN at startup. No sockets:
 * these run in the test's own namespace.
 */
class ConfigFaultsIT {
    @TempDir
    static Path work;

    private static ChildResult app(TestJdk jdk, Path config, String... jvmOptions) {
        ChildJvm child = ChildJvm.on(jdk).agent(ItEnv.agentJar(), config).classpath(ItEnv.testClasses())
                .main(LoadClassApp.class.getName(), "java.lang.String").timeout(Duration.ofSeconds(90));
        for (String option : jvmOptions) {
            child.jvmOption(option);
        }
        return child.runOnHost();
    }

    private static ChildResult check(TestJdk jdk, Path config, String... jvmOptions) {
        ChildJvm child = ChildJvm.on(jdk).classpath(ItEnv.agentJar())
                .main("io.ifpin.agent.IfpinAgent", "check", config.toString()).timeout(Duration.ofSeconds(90));
        for (String option : jvmOptions) {
            child.jvmOption(option);
        }
        return child.runOnHost();
    }

    private static Path fifo(String name) {
        Path fifo = work.resolve(name);
        Commands.run(List.of("mkfifo", fifo.toString()), Duration.ofSeconds(10));
        return fifo;
    }

    private static void assertNoStackTrace(ChildResult r) {
        assertFalse(r.stderr().stream().anyMatch(l -> l.contains("\tat ") || l.contains("failed to start")),
                "one message, no stack trace" + r.describe());
    }

    /** The app was stopped before main, with these words in an ERROR line and the "not started" line. */
    private static void assertStopped(ChildResult r, String words) {
        assertFalse(r.timedOut(), "must not hang" + r.describe());
        assertEquals(2, r.exitCode(), r.describe());
        assertEquals(List.of(), r.stdout(), "the application did not run" + r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.startsWith("[ifpin] ERROR ") && l.contains(words)),
                r.describe());
        assertTrue(r.agentLines().contains("[ifpin] ERROR the application is not started (exit status 2)."),
                r.describe());
        assertNoStackTrace(r);
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aFifoOrADeviceAsTheConfigStopsTheJvmAtOnce(TestJdk jdk) {
        Path fifo = fifo("agent-" + jdk + ".conf");
        assertStopped(app(jdk, fifo), fifo + ": is a FIFO (named pipe), not a regular file");
        assertStopped(app(jdk, Path.of("/dev/zero")), "/dev/zero: is a character device, not a regular file");
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void checkRefusesAFifoOrADeviceWithoutHanging(TestJdk jdk) {
        Path fifo = fifo("check-" + jdk + ".conf");
        for (Path config : List.of(fifo, Path.of("/dev/zero"))) {
            ChildResult r = check(jdk, config);
            assertFalse(r.timedOut(), r.describe());
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith(config + ": is a ")), r.describe());
            assertNoStackTrace(r);
        }
    }

    /** 20,000 fail-closed rules under default-action = deny, in a 32 MiB heap: never run unpinned. */
    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void runningOutOfMemoryWhileLoadingTheConfigStopsTheJvm(TestJdk jdk) {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rules.add("    { name = r" + i + ", cidrs = [\"10." + (i / 256) + "." + (i % 256) + ".0/24\"], interface = b0,"
                    + " on-error = fail-closed }");
        }
        Path config = TestFiles.write(work.resolve("big-" + jdk + ".conf"), "ifpin {\n  default-action = deny\n"
                + "  rules = [\n" + String.join("\n", rules) + "\n  ]\n}\n");
        ChildResult r = app(jdk, config, "-Xmx32m");
        if (r.exitCode() == 0) {
            // Should a leaner parser fit it into the heap, the application runs, with every rule in force.
            assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("20000 rule(s) from " + config)), r.describe());
        } else {
            assertStopped(r, config + ": the JVM ran out of memory while parsing it");
        }
        assertNoStackTrace(r);

        ChildResult checked = check(jdk, config, "-Xmx32m");
        assertTrue(checked.exitCode() == 0 || checked.exitCode() == 1, checked.describe());
        assertNoStackTrace(checked);
        if (checked.exitCode() == 1) {
            assertTrue(checked.stderr().stream().anyMatch(l -> l.contains("ran out of memory")), checked.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void aMissingPlainIncludeIsAWarningAtStartup(TestJdk jdk) {
        Path config = TestFiles.write(work.resolve("include-" + jdk + ".conf"),
                "ifpin.log.level = warn\ninclude \"rules.d/storage.conf\"\n");
        ChildResult r = app(jdk, config);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.agentLines().contains("[ifpin] WARN " + config + ":2: include \"rules.d/storage.conf\": file not"
                + " found (looked for " + work.resolve("rules.d/storage.conf") + "), so the settings and rules it would"
                + " hold are NOT loaded. Fix: create the file or correct the name; write include"
                + " required(\"rules.d/storage.conf\") to make a missing file an error."), r.describe());
    }
}
