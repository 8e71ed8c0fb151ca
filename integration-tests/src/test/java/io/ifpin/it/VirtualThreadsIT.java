package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Thousands of virtual threads connecting at once through the agent (Temurin 25; virtual threads need 21+): every
 * one is pinned to b0, none fails, and no {@code jdk.VirtualThreadPinned} event has ifpin or JNA on its stack, i.e.
 * the hook never parks a virtual thread while holding its carrier. The same load without the agent leaves by a0
 * (the control run).
 */
class VirtualThreadsIT {

    private static final int THREADS = 2000;

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("vth");
    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> thousandsOfVirtualThreads() {
        return Stream.of(true, false).map(this::run);
    }

    private DynamicNode run(boolean withAgent) {
        String context = "[" + TestJdk.JDK_25.label() + " IPv4 " + THREADS + " virtual threads, "
                + (withAgent ? "CIDR rule -> b0" : "without agent") + "] ";
        String expected = withAgent ? "198.51.100.2" : "192.0.2.2";
        Lazy<ChildResult> result = new Lazy<>(() -> {
            ChildJvm child = ChildJvm.on(TestJdk.JDK_25) // no --enable-native-access: ifpin needs none on 22+
                    .classpath(ItEnv.testClasses())
                    .main("io.ifpin.it.apps.VirtualThreadsApp", "203.0.113.10", String.valueOf(THREADS));
            if (withAgent) {
                child.agent(ItEnv.agentJar(), AgentConfig.create().cidrRule("corp-cidr", "b0", "203.0.113.10/32")
                        .writeTo(work.resolve("vthreads.conf")));
            }
            return child.runIn(lab);
        });
        return dynamicContainer(context, Stream.of(
                dynamicTest(context + "every connection seen from " + expected, () -> {
                    ChildResult child = result.get();
                    assertEquals(0, child.exitCode(), child.describe());
                    assertTrue(child.stdout().contains("peer " + expected + " " + THREADS),
                            "expected all " + THREADS + " from " + expected + child.describe());
                    assertTrue(child.stdout().contains("errors 0"), child.describe());
                }),
                dynamicTest(context + "no VirtualThreadPinned event with ifpin or JNA on the stack", () -> {
                    ChildResult child = result.get();
                    List<String> pinned = child.stdout().stream().filter(l -> l.startsWith("pinned-events ")).toList();
                    assertEquals(1, pinned.size(), child.describe());
                    assertTrue(pinned.get(0).matches("pinned-events \\d+ in-ifpin 0"), pinned.get(0) + child.describe());
                })));
    }
}
