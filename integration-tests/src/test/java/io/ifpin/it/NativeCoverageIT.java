package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * What the agent says about coverage beyond the JDK, on every JDK, in the lab's client namespace (a0, b0): the Netty
 * copies found on the class path (io.netty and gRPC's shaded one, via demo-app.jar's Class-Path), the startup
 * self-test per rule (OK on b0, ENODEV for a missing interface), and an ERROR "not covered" line for a class that has
 * Netty's name but not its shape. Backs the startup line and the "not covered" rows of docs/troubleshooting.md's message index.
 */
class NativeCoverageIT {

    private static final String FAKE = "io.ifpin.it.apps.fakenetty.channel.unix.Socket";
    private static final String FAKE_INCUBATOR = "io.ifpin.it.apps.fakenetty.channel.uring.AbstractIOUringChannel";

    private static NetnsLab lab;
    private static Path work;

    @BeforeAll
    static void startLab() {
        lab = NetnsLab.start("cov");
        work = TestFiles.tempDir("ifpin-coverage");
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    @TestFactory
    Stream<DynamicNode> coverageReport() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            String context = "[" + jdk.label() + "] ";
            Lazy<ChildResult> run = new Lazy<>(() -> ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), AgentConfig.create()
                            .cidrRule("on-b0", "b0", "203.0.113.10/32")
                            .cidrRule("gone", "nosuch0", "203.0.113.20/32")
                            .writeTo(work.resolve(jdk.name() + ".conf")))
                    .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                    .main("io.ifpin.it.apps.LoadClassApp", FAKE, FAKE_INCUBATOR, "io.netty.channel.epoll.LinuxSocket",
                            "udp:203.0.113.10:9") // held until ifpin is ready: its startup lines come first
                    .runIn(lab));
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "startup line lists the Netty copies on the class path as covered", () -> {
                        String line = startupLine(run.get());
                        assertTrue(line.contains(" and Netty epoll/io_uring (any package prefix) [covered:"
                                + " io.netty.channel.unix.Socket, covered:"
                                + " io.grpc.netty.shaded.io.netty.channel.unix.Socket]; "), line);
                    }),
                    dynamicTest(context + "startup self-test: OK on b0, ENODEV for the missing interface", () ->
                            assertTrue(startupLine(run.get()).contains("; self-test [on-b0 -> b0: OK, gone -> nosuch0:"
                                    + " ENODEV]; "), startupLine(run.get()))),
                    dynamicTest(context + "a class with Netty's name but not its shape: one ERROR 'not covered' line", () -> {
                        ChildResult result = run.get();
                        List<String> errors = result.agentLines().stream()
                                .filter(l -> l.startsWith("[ifpin] ERROR not covered: " + FAKE + " "))
                                .collect(Collectors.toList());
                        assertEquals(List.of("[ifpin] ERROR not covered: " + FAKE + " (Netty native socket (epoll,"
                                + " io_uring): connect, sendTo, listen): it does not have the shape ifpin patches"
                                + " (extends java/lang/Object, expected io/ifpin/it/apps/fakenetty/channel/unix/FileDescriptor;"
                                + " no method connect(Ljava/net/SocketAddress;)Z; no method"
                                + " sendTo(Ljava/nio/ByteBuffer;IILjava/net/InetAddress;IZ)I; no method"
                                + " sendToAddress(JIILjava/net/InetAddress;IZ)I; no method"
                                + " sendToAddresses(JILjava/net/InetAddress;IZ)I; no method listen(I)V), so sockets this"
                                + " Netty copy opens are NOT pinned. Please report this with your Netty version."),
                                errors, result.describe());
                        assertEquals(0, result.exitCode(), result.describe());
                        assertTrue(result.stdout().contains("loaded io.netty.channel.epoll.LinuxSocket"), result.describe());
                        assertEquals(2, result.agentLines().stream().filter(l -> l.startsWith("[ifpin] ERROR")).count(),
                                "no ERROR but the two 'not covered' lines" + result.describe());
                    }),
                    dynamicTest(context + "Netty 4.1's incubator io_uring transport: one ERROR 'not covered' line", () -> {
                        ChildResult result = run.get();
                        assertTrue(result.agentLines().contains("[ifpin] ERROR not covered: " + FAKE_INCUBATOR
                                + " (Netty incubator io_uring transport (4.1)): ifpin does not patch this transport, so"
                                + " the sockets it opens are NOT pinned. Fix: use Netty 4.2's io_uring transport"
                                + " (io.netty.channel.uring) or the epoll transport."), result.describe());
                    })));
        });
    }

    /**
     * Netty epoll sends datagrams flushed together with one {@code sendmmsg}, their destinations inside Netty's
     * packet objects: each is pinned (CIDR rule). Without the agent they leave by a0 (the control run); before the
     * sendmmsg patch the first datagram of the batch left by a0 with the agent too.
     */
    @TestFactory
    Stream<DynamicNode> nettyDatagramBatches() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            String context = "[" + jdk.label() + " Netty epoll, 3 datagrams in one flush (sendmmsg)] ";
            Lazy<ChildResult> withAgent = new Lazy<>(() -> batchRun(jdk, work.resolve(jdk.name() + "-batch.conf"),
                    "203.0.113.10"));
            Lazy<ChildResult> withAgent6 = new Lazy<>(() -> batchRun(jdk, work.resolve(jdk.name() + "-batch6.conf"),
                    "2001:db8:f::10"));
            Lazy<ChildResult> withoutAgent = new Lazy<>(() -> batchRun(jdk, null, "203.0.113.10"));
            return dynamicContainer(context, Stream.of(
                    dynamicTest(context + "CIDR rule -> b0: every datagram seen from 198.51.100.2", () ->
                            assertReplies(withAgent.get(), "198.51.100.2")),
                    dynamicTest(context + "IPv6, CIDR rule -> b0: every datagram seen from 2001:db8:b::2", () ->
                            assertReplies(withAgent6.get(), "2001:db8:b::2")),
                    dynamicTest(context + "without the agent: every datagram seen from 192.0.2.2", () ->
                            assertReplies(withoutAgent.get(), "192.0.2.2"))));
        });
    }

    /**
     * A Netty copy whose descriptor cannot be read ({@code intValue()} and io_uring's {@code fd()} throw, in
     * {@code apps.brokennetty}): each patched method still runs, and the failure is one ERROR line. Refusals are
     * unaffected: through real Netty epoll sockets a deny rule and a fail-closed rule (missing interface) refuse the
     * TCP connect and the UDP send with the exceptions the application would get from the JDK's sockets.
     */
    @TestFactory
    Stream<DynamicNode> aDescriptorThatCannotBeReadDoesNotBreakTheConnect() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            String context = "[" + jdk.label() + " Netty descriptor throws] ";
            Path conf = work.resolve(jdk.name() + "-broken.conf");
            Lazy<ChildResult> run = new Lazy<>(() -> ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), TestFiles.write(conf, String.join("\n",
                            "ifpin.rules = [",
                            "  { name = on-b0, cidrs = [\"203.0.113.10/32\"], interface = b0 }",
                            "  { name = no-go, cidrs = [\"203.0.113.30/32\"], action = deny }",
                            "  { name = strict, cidrs = [\"203.0.113.40/32\"], interface = nosuch0,"
                                    + " on-error = fail-closed }",
                            "]", "")))
                    .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                    .main("io.ifpin.it.apps.BrokenNettyApp", "203.0.113.30", "203.0.113.40")
                    .runIn(lab));
            return dynamicContainer(context, Stream.of(
                    dynamicTest(context + "every patched method runs", () -> {
                        ChildResult result = run.get();
                        assertEquals(0, result.exitCode(), result.describe());
                        for (String line : List.of("broken connect returned true", "broken sendTo returned 1",
                                "broken sendToAddress returned 1", "broken sendToAddresses returned 1",
                                "broken listen returned", "broken submitConnect returned")) {
                            assertTrue(result.stdout().contains(line), line + result.describe());
                        }
                    }),
                    dynamicTest(context + "the failure is reported once", () -> {
                        ChildResult result = run.get();
                        List<String> errors = result.agentLines().stream()
                                .filter(l -> l.startsWith("[ifpin] ERROR internal error")).toList();
                        assertEquals(1, errors.size(), result.describe());
                        assertTrue(errors.get(0).startsWith("[ifpin] ERROR internal error while pinning a socket; the"
                                + " socket proceeds unpinned. Please report this with the trace:"
                                + " java.lang.IllegalStateException: "), result.describe());
                    }),
                    dynamicTest(context + "deny and fail-closed still refuse Netty's connect and send", () -> {
                        ChildResult result = run.get();
                        assertTrue(result.stdout().contains("netty tcp 203.0.113.30 REFUSED java.net.ConnectException:"
                                + " ifpin refused TCP to 203.0.113.30:7000: rule 'no-go' (" + conf + ":3), action ="
                                + " deny"), result.describe());
                        assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("netty udp 203.0.113.30"
                                + " REFUSED java.net.SocketException: ifpin refused UDP to 203.0.113.30:7000: rule"
                                + " 'no-go'")), result.describe());
                        assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("netty tcp 203.0.113.40"
                                + " REFUSED java.net.ConnectException: ifpin refused TCP to 203.0.113.40:7000: rule"
                                + " 'strict'") && l.contains("fail-closed, cannot pin to 'nosuch0': ENODEV")),
                                result.describe());
                        assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("netty udp 203.0.113.40"
                                + " REFUSED java.net.SocketException: ifpin refused UDP to 203.0.113.40:7000")),
                                result.describe());
                    })));
        });
    }

    private static void assertReplies(ChildResult result, String peer) {
        assertTrue(result.stdout().contains("replies all"), result.describe());
        assertEquals(3, result.stdout().stream().filter(l -> l.startsWith("reply PEER " + peer + " ")).count(),
                result.describe());
        assertTrue(result.agentLines().stream().noneMatch(l -> l.startsWith("[ifpin] ERROR")), result.describe());
    }

    private static ChildResult batchRun(TestJdk jdk, Path config, String target) {
        ChildJvm child = ChildJvm.on(jdk)
                .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                .main("io.ifpin.it.apps.NettyUdpBatchApp", target, "3");
        if (config != null) {
            child.agent(ItEnv.agentJar(), AgentConfig.create()
                    .cidrRule("corp-cidr", "b0", "203.0.113.10/32", "2001:db8:f::10/128").writeTo(config));
        }
        return child.runIn(lab);
    }

    private static String startupLine(ChildResult result) {
        return result.agentLines().stream().filter(l -> l.startsWith("[ifpin] INFO ifpin ")).findFirst()
                .orElseThrow(() -> new AssertionError("no startup line" + result.describe()));
    }
}
