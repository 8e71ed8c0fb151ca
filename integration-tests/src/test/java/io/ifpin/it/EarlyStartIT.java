package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.ConnectOnceApp;
import io.ifpin.it.apps.HeldAtExitApp;
import io.ifpin.it.apps.LateLogManagerApp;
import io.ifpin.it.apps.ThreadsApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The agent as a guest in every JVM (issue 13): it leaves the application's java.util.logging and JMX alone until the
 * application has set them up, installs once however often {@code -javaagent} names it, stays out of its own command
 * line, installs nothing for a config that cannot act, and never keeps an exiting JVM waiting. Child JVMs on
 * loopback only, on JDK 17 and 25.
 */
class EarlyStartIT {

    @TempDir
    static Path work;
    private static Path appClasses;
    private static Path logManagerDir;
    private static Path pinLoopback;
    private static Path empty;
    private static Path invalid;

    @BeforeAll
    static void setUp() {
        // The application's class path holds the apps but not its log manager, which only its own loader has.
        appClasses = work.resolve("app");
        logManagerDir = work.resolve("lm");
        for (Class<?> app : List.of(LateLogManagerApp.class, ConnectOnceApp.class, ThreadsApp.class,
                HeldAtExitApp.class)) {
            copyClass(app.getName(), appClasses);
        }
        copyClass("io.ifpin.it.apps.lm.AppLogManager", logManagerDir);
        pinLoopback = AgentConfig.create().cidrRule("loop", "lo", "127.0.0.1/32").writeTo(work.resolve("loop.conf"));
        empty = TestFiles.write(work.resolve("empty.conf"), "ifpin {}\n");
        invalid = TestFiles.write(work.resolve("invalid.conf"), "ifpin { rules = [ { name = x, interface = 7 } ] }\n");
    }

    private static void copyClass(String name, Path root) {
        String file = name.replace('.', '/') + ".class";
        TestFiles.copy(ItEnv.testClasses().resolve(file), root.resolve(file));
    }

    private static ChildJvm app(TestJdk jdk, Path config, Class<?> main, String... args) {
        return ChildJvm.on(jdk).agent(ItEnv.agentJar(), config).classpath(appClasses).main(main.getName(), args);
    }

    private static String stderr(ChildResult result) {
        return String.join("\n", result.stderr());
    }

    private static List<String> lines(ChildResult result, String containing) {
        return result.agentLines().stream().filter(line -> line.contains(containing)).collect(Collectors.toList());
    }

    @TestFactory
    Stream<DynamicNode> onEveryJdk() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(), Stream.of(
                lateLogManager(jdk, List.of()),
                jdk.feature() >= 22 ? lateLogManager(jdk, List.of("-Difpin.native=jna")) : null,
                secondAgent(jdk, "the flag twice", false),
                secondAgent(jdk, "JAVA_TOOL_OPTIONS and the command line", true),
                ownCommandLine(jdk),
                nothingToPin(jdk),
                heldAtExit(jdk)).filter(node -> node != null)));
    }

    private DynamicNode lateLogManager(TestJdk jdk, List<String> options) {
        String label = "an application that sets java.util.logging.manager 1.5 s after start keeps its LogManager,"
                + " and ifpin's MBean comes after it" + (options.isEmpty() ? "" : " " + options);
        return dynamicTest(label, () -> {
            ChildJvm child = app(jdk, pinLoopback, LateLogManagerApp.class, logManagerDir.toString())
                    .jvmOption("-Difpin.log.level=debug");
            options.forEach(child::jvmOption);
            ChildResult result = child.runOnHost();
            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(result.stdout().contains("log manager: io.ifpin.it.apps.lm.AppLogManager"), result.describe());
            assertFalse(stderr(result).contains("Could not load Logmanager"), result.describe());
            assertTrue(result.stdout().contains("ifpin MBean registered after the application's logging: true"),
                    result.describe());
            // Once the application has set a log manager of its own loader, it counts as an application server:
            // ifpin waits for its java.util.logging and its MBean server.
            assertEquals(1, lines(result, "MBean ifpin:type=Rules registered: the application server initialised"
                    + " java.util.logging and created an MBean server").size(), result.describe());
            assertEquals(1, lines(result, "rule(s) from").size(), result.describe()); // ifpin did start
        });
    }

    private DynamicNode secondAgent(TestJdk jdk, String how, boolean toolOptions) {
        return dynamicTest("ifpin given twice (" + how + ") installs once, says so in one line, pins once", () -> {
            String flag = "-javaagent:" + ItEnv.agentJar() + "=" + pinLoopback;
            ChildJvm child = app(jdk, pinLoopback, ConnectOnceApp.class).jvmOption("-Difpin.log.level=debug");
            child = toolOptions ? child.env("JAVA_TOOL_OPTIONS", flag) : child.jvmOption(flag);
            ChildResult result = child.runOnHost();
            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(result.stdout().contains("connected true true"), result.describe());
            assertEquals(1, lines(result, "premain returns after").size(), result.describe());
            // The startup line, once, or not at all: the connect is pinned early and the app may exit before it.
            assertTrue(lines(result, "rule(s) from").size() <= 1, result.describe());
            assertEquals(1, lines(result, "ifpin is already loaded in this JVM (config " + pinLoopback
                    + "); this second -javaagent of it does nothing").size(), result.describe());
            assertEquals(1, lines(result, "rule 'loop': pinned TCP").size(), result.describe());
        });
    }

    private DynamicNode ownCommandLine(TestJdk jdk) {
        return dynamicTest("java -jar ifpin-agent.jar check under JAVA_TOOL_OPTIONS=-javaagent (an invalid agent"
                + " config): the agent stays out, check runs", () -> {
            ChildResult result = ChildJvm.on(jdk)
                    .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ItEnv.agentJar() + "=" + invalid
                            + " -Difpin.log.level=debug")
                    .jvmOption("-jar")
                    .main(ItEnv.agentJar().toString(), "check", empty.toString())
                    .runOnHost();
            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(String.join("\n", result.stdout()).contains("is valid"), result.describe());
            assertEquals(List.of("[ifpin] DEBUG this JVM runs ifpin's own command line (" + ItEnv.agentJar()
                    + " check " + empty + "): the -javaagent of ifpin does nothing here"), result.agentLines(),
                    result.describe());
        });
    }

    private DynamicNode nothingToPin(TestJdk jdk) {
        return dynamicTest("a config that cannot act: one line; no instrumentation, native access, thread,"
                + " java.util.logging, or bootstrap bridge", () -> {
            ChildResult result = app(jdk, empty, ThreadsApp.class).jvmOption("-verbose:class").runOnHost();
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(1, result.agentLines().size(), result.describe());
            assertTrue(result.agentLines().get(0).contains("nothing to pin, so nothing is installed"),
                    result.describe());
            for (String line : result.stdout()) {
                assertFalse(line.startsWith("thread ifpin"), line + result.describe());
                for (String loaded : List.of("com.sun.jna.", "net.bytebuddy.", "java.util.logging.LogManager ",
                        "io.ifpin.instrument.", "io.ifpin.pin.", "io.ifpin.bridge.", "io.ifpin.core.AgentInstaller ")) {
                    assertFalse(line.contains(" " + loaded), line);
                }
            }
        });
    }

    private DynamicNode heldAtExit(TestJdk jdk) {
        return dynamicTest("a JVM that exits while a socket is held (ifpin never ready): the socket stays held, one"
                + " WARN line", () -> {
            // The audit file is a FIFO no one reads: opening it blocks ifpin-init for good, so ifpin is never ready.
            Path fifo = work.resolve(jdk.name() + "-audit.fifo");
            mkfifo(fifo);
            Path config = TestFiles.write(work.resolve(jdk.name() + "-held.conf"), AgentConfig.create()
                    .cidrRule("loop", "lo", "127.0.0.1/32").render().replace("ifpin {",
                            "ifpin {\n  audit.file = \"" + fifo + "\""));
            ChildResult result = app(jdk, config, HeldAtExitApp.class).runOnHost();
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(List.of("held"), result.stdout(), result.describe()); // never "connected"
            assertEquals(1, lines(result, "before ifpin was ready: 1 socket(s) opened before then were held and"
                    + " are not let out unpinned").size(), result.describe());
        });
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("mkfifo " + path + " failed");
        }
    }
}
