package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.LegacyAppOutput.CaseLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * How ifpin makes its native calls (docs/dev/architecture.md, "Native calls"). On Java 22+ every call goes through the
 * Foreign Function API from the module {@code io.ifpin.nativeaccess}, which ifpin grants native access itself: the
 * JVM prints no warning, pinning works under {@code --illegal-native-access=deny}, JNA is never loaded (so neither
 * its {@code java.util.logging} nor its {@code ldconfig -p} child process), and rtnetlink (the interface report)
 * works through it too. {@code -Difpin.native=jna} brings JNA and the JVM's warning back. On JDK 17: JNA, as before.
 * Sockets are proven to leave by the pinned link (the server sees the client's b0 address).
 */
class NativeAccessIT {

    private static final String SERVICE = "203.0.113.10";
    /** The client's address on b0, the pinned link (a0, the default route, has 192.0.2.2). */
    private static final String VIA_B0 = "198.51.100.2";
    /** JDK socket paths only: under --illegal-native-access=deny the application's own Netty could not load its library. */
    private static final String CASES = "socket,socket-channel,datagram-channel-send,http-client";

    private static NetnsLab lab;
    private static Path work;
    private static Path config;

    @BeforeAll
    static void startLab() {
        lab = NetnsLab.start("nat");
        work = TestFiles.tempDir("ifpin-native-access");
        config = AgentConfig.create().cidrRule("service", "b0", SERVICE + "/32").writeTo(work.resolve("service.conf"));
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    @TestFactory
    Stream<DynamicNode> java25DenyMode() {
        TestJdk jdk = TestJdk.JDK_25;
        Lazy<Run> run = new Lazy<>(() -> run(jdk, "deny", "--illegal-native-access=deny"));
        String context = "[" + jdk.label() + " --illegal-native-access=deny] ";
        return Stream.of(dynamicContainer(context, Stream.of(
                dynamicTest(context + "every case leaves by b0 (" + VIA_B0 + ")", () -> assertPinned(run.get())),
                dynamicTest(context + "no WARNING line from the JVM on stderr", () -> assertNoJvmWarning(run.get())),
                dynamicTest(context + "the startup line says FFM", () -> assertCalls(run.get(), "FFM")),
                dynamicTest(context + "no com.sun.jna class is loaded (class+load log)", () -> {
                    Run r = run.get();
                    assertTrue(r.classes().stream().noneMatch(c -> c.startsWith("com.sun.jna.")), r.describe());
                    assertTrue(r.classes().contains("io.ifpin.nativeaccess.LibcDowncalls"), "the module's class loads"
                            + r.describe());
                }),
                dynamicTest(context + "no child process: java.lang.ProcessBuilder is never loaded", () -> {
                    Run r = run.get();
                    assertFalse(r.classes().contains("java.lang.ProcessBuilder"), r.describe());
                }),
                dynamicTest(context + "the interface report (rtnetlink through FFM) names b0's address", () -> {
                    Run r = run.get();
                    assertTrue(r.result().stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO rule 'service'"
                            + " -> interface 'b0': up, addresses [" + VIA_B0 + "/")), r.describe());
                }))));
    }

    @TestFactory
    Stream<DynamicNode> java25DefaultMode() {
        TestJdk jdk = TestJdk.JDK_25;
        Lazy<Run> run = new Lazy<>(() -> run(jdk, "default"));
        Lazy<Run> jna = new Lazy<>(() -> run(jdk, "jna", "-Difpin.native=jna"));
        String context = "[" + jdk.label() + "] ";
        return Stream.of(
                dynamicTest(context + "no flag: no WARNING line, FFM, sockets leave by b0", () -> {
                    assertNoJvmWarning(run.get());
                    assertCalls(run.get(), "FFM");
                    assertPinned(run.get());
                }),
                dynamicTest(context + "-Difpin.native=jna: JNA loads, and with it the JVM's warning about its"
                        + " System::load (documented); sockets still leave by b0", () -> {
                    Run r = jna.get();
                    assertCalls(r, "JNA");
                    assertTrue(r.classes().contains("com.sun.jna.Native"), r.describe());
                    assertTrue(r.result().stderr().stream().anyMatch(l -> l.startsWith("WARNING: java.lang.System::load"
                            + " has been called by com.sun.jna.Native in an unnamed module")), r.describe());
                    assertPinned(r);
                }));
    }

    @TestFactory
    Stream<DynamicNode> java17() {
        TestJdk jdk = TestJdk.JDK_17;
        Lazy<Run> run = new Lazy<>(() -> run(jdk, "default"));
        String context = "[" + jdk.label() + "] ";
        return Stream.of(dynamicTest(context + "JNA as before: loaded, no WARNING line, sockets leave by b0", () -> {
            Run r = run.get();
            assertCalls(r, "JNA");
            assertTrue(r.classes().contains("com.sun.jna.Native"), r.describe());
            assertFalse(r.classes().contains("io.ifpin.nativeaccess.LibcDowncalls"), r.describe());
            assertNoJvmWarning(r);
            assertPinned(r);
        }));
    }

    /** One child JVM and the classes it loaded. */
    private record Run(ChildResult result, List<String> classes) {
        String describe() {
            return result.describe();
        }
    }

    private static Run run(TestJdk jdk, String name, String... options) {
        Path classLog = work.resolve(jdk.name() + "-" + name + "-classes.txt");
        ChildJvm child = ChildJvm.on(jdk)
                .agent(ItEnv.agentJar(), config)
                .jvmOption("-Xlog:class+load=info:file=" + classLog)
                .classpath(ItEnv.demoJar())
                .main("io.ifpin.demo.LegacyApp", "--cases", CASES, "--expect", VIA_B0, SERVICE);
        for (String option : options) {
            child.jvmOption(option);
        }
        ChildResult result = child.runIn(lab);
        try {
            // "[0.123s][info][class,load] com.sun.jna.Native source: ..."
            List<String> classes = Files.readAllLines(classLog).stream()
                    .map(line -> line.replaceFirst("^.*\\[class,load] ", "").replaceFirst(" .*$", ""))
                    .collect(Collectors.toList());
            assertFalse(classes.isEmpty(), "empty class+load log" + result.describe());
            return new Run(result, classes);
        } catch (IOException e) {
            throw new UncheckedIOException("no class+load log" + result.describe(), e);
        }
    }

    private static void assertPinned(Run run) {
        Map<String, CaseLine> lines = LegacyAppOutput.parse(run.result().stdout());
        assertEquals(CASES.split(",").length, lines.size(), run.describe());
        for (CaseLine line : lines.values()) {
            assertEquals(VIA_B0, line.peerIp().orElse(line.result()), line.name() + run.describe());
        }
        assertEquals(0, run.result().exitCode(), run.describe());
    }

    private static void assertNoJvmWarning(Run run) {
        assertTrue(run.result().stderr().stream().noneMatch(l -> l.startsWith("WARNING:")), run.describe());
    }

    private static void assertCalls(Run run, String implementation) {
        assertTrue(run.result().stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO ifpin ")
                && l.contains("; system calls through " + implementation + "; ")), run.describe());
    }
}
