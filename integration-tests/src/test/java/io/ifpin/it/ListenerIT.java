package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Listeners with a {@code direction = inbound} rule: a service listening on the wildcard address in the client
 * namespace, pinned to b0, accepts connections that arrive on b0 (to 198.51.100.2 / 2001:db8:b::2) and refuses
 * those that arrive on a0 (192.0.2.2 / 2001:db8:a::2): the kernel's listener lookup skips a socket bound to another
 * device, so the SYN is answered with a reset. Without the agent all four connect (the control run).
 */
class ListenerIT {

    private static final int FIRST_PORT = 9001;
    private static final List<String> VIA_B0 = List.of("198.51.100.2", "2001:db8:b::2");
    private static final List<String> VIA_A0 = List.of("192.0.2.2", "2001:db8:a::2");
    /** The listener kinds of ListenerApp; also the compatibility matrix's listener rows ({@code listener-<kind>}). */
    static final List<String> KINDS = List.of("server-socket", "server-socket-channel",
            "async-server-socket-channel", "netty-nio-server", "netty-epoll-server", "netty-io-uring-server");

    private static NetnsLab lab;
    private static Path work;

    @BeforeAll
    static void startLab() {
        lab = NetnsLab.start("lsn");
        work = TestFiles.tempDir("ifpin-listener");
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    @TestFactory
    Stream<DynamicNode> inboundRulePinsListeners() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(), Stream.of(true, false)
                .map(withAgent -> run(jdk, withAgent))));
    }

    private DynamicNode run(TestJdk jdk, boolean withAgent) {
        String context = "[" + jdk.label() + (withAgent ? " inbound rule -> b0" : " without agent") + "] ";
        Lazy<ChildResult> result = new Lazy<>(() -> {
            List<String> args = new ArrayList<>(List.of(lab.serverNamespace(), String.valueOf(FIRST_PORT)));
            args.addAll(VIA_B0);
            args.addAll(VIA_A0);
            ChildJvm child = ChildJvm.on(jdk)
                    .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                    .main("io.ifpin.it.apps.ListenerApp", args.toArray(new String[0]));
            if (withAgent) {
                child.agent(ItEnv.agentJar(), AgentConfig.create()
                        .inboundRule("service-in", "b0", FIRST_PORT + "-" + (FIRST_PORT + KINDS.size() - 1))
                        .writeTo(work.resolve(jdk.name() + "-inbound.conf")));
            }
            ChildResult childResult = child.runIn(lab);
            writeRecords(jdk, withAgent, childResult);
            return childResult;
        });
        List<DynamicNode> tests = new ArrayList<>();
        for (String kind : KINDS) {
            for (String address : VIA_B0) {
                tests.add(probe(context, result, kind, address, "CONNECTED", "arrives on b0"));
            }
            for (String address : VIA_A0) {
                tests.add(probe(context, result, kind, address, withAgent ? "REFUSED" : "CONNECTED", "arrives on a0"));
            }
        }
        tests.add(dynamicTest(context + "exit code 0", () -> assertEquals(0, result.get().exitCode(),
                result.get().describe())));
        return dynamicContainer(context, tests.stream());
    }

    /**
     * Accepted sockets carry the pinned listener's binding: the kernel copies the listener's bound device into each
     * socket it accepts, so {@code ss} shows the accepted connection as {@code %b0}; without the agent, unbound.
     */
    @TestFactory
    Stream<DynamicNode> acceptedSocketsOfAPinnedListenerAreBoundToItsInterface() {
        int port = FIRST_PORT + KINDS.size();
        return Stream.of(TestJdk.values()).flatMap(jdk -> Stream.of(true, false).map(withAgent -> dynamicTest(
                jdk.label() + (withAgent ? ": inbound rule -> b0, the accepted socket shows %b0"
                        : ": without agent, the accepted socket is unbound"), () -> {
                    ChildJvm child = ChildJvm.on(jdk)
                            .classpath(ItEnv.testClasses())
                            .main("io.ifpin.it.apps.AcceptedBindingApp", lab.serverNamespace(), String.valueOf(port),
                                    VIA_B0.get(0));
                    if (withAgent) {
                        child.agent(ItEnv.agentJar(), AgentConfig.create().inboundRule("service-in", "b0",
                                String.valueOf(port)).writeTo(work.resolve(jdk.name() + "-accepted.conf")));
                    }
                    ChildResult result = child.runIn(lab);
                    assertEquals(0, result.exitCode(), result.describe());
                    String line = result.stdout().stream().filter(l -> l.startsWith("accepted ")).findFirst()
                            .orElseThrow(() -> new AssertionError("no accepted line" + result.describe()));
                    assertTrue(line.contains("198.51.100.2"), "one connection, arrived on b0: " + line);
                    if (withAgent) {
                        assertTrue(line.contains("198.51.100.2]%b0:" + port) || line.contains("198.51.100.2%b0:" + port),
                                "bound to b0: " + line);
                    } else {
                        assertFalse(line.contains("%"), "not bound: " + line);
                    }
                })));
    }

    /** A fail-closed inbound rule that cannot pin refuses the listen: the service never listens on every interface. */
    @TestFactory
    Stream<DynamicNode> aFailClosedInboundRuleRefusesTheListen() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicTest(jdk.label(), () -> {
            Path config = TestFiles.write(work.resolve(jdk.name() + "-fail-closed.conf"), String.join("\n",
                    "ifpin.rules = [",
                    "  { name = strict-in, direction = inbound, ports = [" + FIRST_PORT + "], interface = mgmt0,",
                    "    on-error = fail-closed }",
                    "]", ""));
            ChildResult child = ChildJvm.on(jdk)
                    .classpath(ItEnv.testClasses(), ItEnv.demoJar())
                    .agent(ItEnv.agentJar(), config)
                    .main("io.ifpin.it.apps.ListenerApp", lab.serverNamespace(), String.valueOf(FIRST_PORT),
                            VIA_A0.get(0))
                    .runIn(lab);
            assertTrue(child.exitCode() != 0, "the application's first bind failed" + child.describe());
            assertTrue(child.stderr().stream().anyMatch(l -> l.contains("java.net.SocketException: ifpin refused to"
                    + " listen on [::]:" + FIRST_PORT + ": rule 'strict-in' (" + config + ":2), on-error ="
                    + " fail-closed, cannot pin to 'mgmt0': ENODEV")), child.describe());
            assertTrue(child.stdout().stream().noneMatch(l -> l.startsWith("probe ")), "nothing was accepted"
                    + child.describe());
        }));
    }

    /** Per family, one record per kind for the compatibility matrix: PASS when both probes went as expected. */
    private static void writeRecords(TestJdk jdk, boolean withAgent, ChildResult result) {
        for (int family = 0; family < 2; family++) {
            List<String> records = new ArrayList<>();
            for (String kind : KINDS) {
                String name = "listener-" + kind;
                if (result.stdout().stream().anyMatch(line -> line.startsWith("listen " + kind + " n/a"))) {
                    records.add(name + " NA io_uring unavailable on this kernel");
                    continue;
                }
                boolean b0 = result.stdout().contains("probe " + kind + " " + VIA_B0.get(family) + " CONNECTED");
                boolean a0 = result.stdout().contains("probe " + kind + " " + VIA_A0.get(family) + " "
                        + (withAgent ? "REFUSED" : "CONNECTED"));
                records.add(name + (b0 && a0 ? " PASS" : " FAIL") + " b0 " + (b0 ? "ok" : "wrong") + ", a0 "
                        + (a0 ? "ok" : "wrong"));
            }
            CompatRecords.writeLines(jdk, family == 0 ? "IPV4" : "IPV6",
                    withAgent ? "LISTENER_INBOUND_RULE" : "LISTENER_WITHOUT_AGENT", records);
        }
    }

    private static DynamicNode probe(String context, Lazy<ChildResult> result, String kind, String address,
                                     String expected, String why) {
        return dynamicTest(context + kind + ": connection to " + address + " (" + why + ") " + expected, () -> {
            ChildResult child = result.get();
            if (child.stdout().stream().anyMatch(line -> line.startsWith("listen " + kind + " n/a"))) {
                org.junit.jupiter.api.Assumptions.abort(kind + " is not available here (io_uring): "
                        + child.stdout());
            }
            String line = "probe " + kind + " " + address + " " + expected;
            assertTrue(child.stdout().contains(line), "expected '" + line + "'" + child.describe());
        });
    }
}
