package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.LinkLifecycleApp;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Issue 15: a rule with {@code interface = [c0, b0]} follows a third link, c0, that the application's own steps add,
 * take down, bring up, delete and add again (a VPN that reconnects gets a new index) while it connects every 200 ms;
 * and {@code wait-for-interface} holds a connect until c0 appears, or gives up by on-error. IPv4 and IPv6.
 *
 * <p>c0 is a veth pair c0 (client, 203.0.113.130/26, 2001:db8:c::2/64) / sc0 (server, .129, ::1) with default routes
 * via c0 at metric 300, so unpinned sockets still leave by a0. The script brings c0 up with its addresses and routes
 * while sc0 is down, and sc0 up last: c0 gets its carrier, and becomes usable for ifpin, only once its routes are
 * there. The application changes the links between two rounds of connects and waits until the MBean says the rule
 * uses the interface expected before it connects again: the kernel tells ifpin of a change asynchronously, so a
 * connect at the very moment a link goes down can still fail, with or without ifpin; this test proves what comes
 * after ifpin has heard of it.
 */
class InterfaceLifecycleIT {

    private static final String APP_CLASS = LinkLifecycleApp.class.getName();
    private static final String V4_BY_B = "198.51.100.2";
    private static final String V6_BY_B = "2001:db8:b:0:0:0:0:2";
    private static final String V4_BY_C = "203.0.113.130";
    private static final String V6_BY_C = "2001:db8:c:0:0:0:0:2";
    private static final String V4_BY_A = "192.0.2.2";

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("life");
    @TempDir
    static Path work;

    /** Brings c0 (and its peer sc0) up with addresses and routes; sc0 last, so c0 has no carrier until then. */
    private static String c0Up() {
        String server = lab.serverNamespace();
        return "ip -n " + server + " link set sc0 down"
                + " && ip -n " + server + " -6 addr replace 2001:db8:c::1/64 dev sc0 nodad"
                + " && ip addr replace 203.0.113.130/26 dev c0"
                + " && ip -6 addr replace 2001:db8:c::2/64 dev c0 nodad"
                + " && ip link set c0 up"
                + " && ip route replace default via 203.0.113.129 dev c0 metric 300"
                + " && ip -6 route replace default via 2001:db8:c::1 dev c0 metric 300"
                + " && ip -n " + server + " link set sc0 up";
    }

    private static String c0Add() {
        String server = lab.serverNamespace();
        return "ip link add c0 type veth peer name sc0 netns " + server
                + " && ip -n " + server + " addr add 203.0.113.129/26 dev sc0 && " + c0Up();
    }

    @TestFactory
    Stream<DynamicNode> aListFollowsTheLinkAsItComesAndGoes() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            Lazy<ChildResult> run = new Lazy<>(() -> flap(jdk));
            String context = "[" + jdk.label() + "] ";
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "no connect fails, and each goes by c0 while c0 is up, else by b0 (IPv4,"
                            + " IPv6)", () -> {
                        ChildResult result = run.get();
                        List<String> expected = List.of("b0", "c0", "b0", "c0", "b0", "c0");
                        List<List<String>> phases = phases(result);
                        assertEquals(expected.size(), phases.size(), result.describe());
                        for (int i = 0; i < phases.size(); i++) {
                            boolean byC = expected.get(i).equals("c0");
                            String want = "203.0.113.10=" + (byC ? V4_BY_C : V4_BY_B) + " 2001:db8:f::10="
                                    + (byC ? V6_BY_C : V6_BY_B);
                            assertTrue(phases.get(i).size() >= 3, "phase " + i + ": " + result.describe());
                            for (String round : phases.get(i)) {
                                assertTrue(round.endsWith(" " + want), "phase " + i + " (" + expected.get(i) + "): "
                                        + round + "\n" + result.describe());
                            }
                        }
                        assertEquals(0, result.exitCode(), result.describe());
                    }),
                    dynamicTest(context + "each step's change took effect (exit 0, in use as expected)", () -> {
                        ChildResult result = run.get();
                        List<String> steps = result.stdout().stream().filter(l -> l.startsWith("STEP ")).toList();
                        assertEquals(List.of("STEP exit=0 in-use=c0 c0", "STEP exit=0 in-use=b0 b0",
                                "STEP exit=0 in-use=c0 c0", "STEP exit=0 in-use=b0 b0", "STEP exit=0 in-use=c0 c0"),
                                steps, result.describe());
                    }),
                    dynamicTest(context + "every change is logged once, naming the rule and the interfaces", () -> {
                        ChildResult result = run.get();
                        List<String> changes = result.stderr().stream()
                                .filter(l -> l.startsWith("[ifpin] INFO rule 'corp': ")).toList();
                        assertEquals(List.of("[ifpin] INFO rule 'corp': using b0 (c0 is missing)",
                                "[ifpin] INFO rule 'corp': c0 is back, using c0",
                                "[ifpin] INFO rule 'corp': c0 is down, using b0",
                                "[ifpin] INFO rule 'corp': c0 is back, using c0",
                                "[ifpin] INFO rule 'corp': c0 is down, using b0", // a deleted link goes down first
                                "[ifpin] INFO rule 'corp': c0 is back, using c0"), changes, result.describe());
                    }),
                    dynamicTest(context + "the audit log names the interface each socket was pinned to", () -> {
                        ChildResult result = run.get();
                        List<String> audit = readLines(work.resolve(jdk.name() + "-audit.jsonl"));
                        long byC = audit.stream().filter(l -> l.contains("\"interface\":\"c0\"")
                                && l.contains("\"result\":\"pinned\"")).count();
                        long byB = audit.stream().filter(l -> l.contains("\"interface\":\"b0\"")
                                && l.contains("\"result\":\"pinned\"")).count();
                        long rounds = result.stdout().stream().filter(l -> l.startsWith("ROUND ")).count();
                        assertEquals(2 * rounds, byB + byC, audit.toString());
                        assertTrue(byC >= 2 * 9 && byB >= 2 * 9, audit.toString());
                    })));
        });
    }

    @TestFactory
    Stream<DynamicNode> aConnectWaitsForTheLinkThenPinsToIt() {
        return Stream.of(TestJdk.values()).flatMap(jdk -> Stream.of(
                new String[] {"203.0.113.10", V4_BY_C}, new String[] {"2001:db8:f::10", V6_BY_C}).map(family ->
                dynamicTest("[" + jdk.label() + "] to " + family[0] + ": held until c0 appears 1.5 s later, then"
                        + " pinned to it", () -> {
                    Path config = TestFiles.write(work.resolve(jdk.name() + "-wait.conf"), "ifpin.rules = [ { name ="
                            + " corp, cidrs = [\"203.0.113.10/32\", \"2001:db8:f::10/128\"], interface = c0,"
                            + " wait-for-interface = 20s, on-error = fail-closed } ]\n");
                    ChildResult result;
                    try {
                        result = app(jdk, config, "wait", family[0], "1500", c0Add());
                    } finally {
                        lab.runInClient(false, "ip", "link", "del", "c0");
                    }
                    // Without the wait the connect would find no c0 and be refused (fail-closed).
                    assertEquals(List.of("CONNECT ok local=" + family[1]), result.stdout(), result.describe());
                    assertTrue(result.stderr().contains("[ifpin] WARN rule 'corp': none of its interfaces is up"
                            + " (c0 is missing)"), result.describe());
                })));
    }

    @TestFactory
    Stream<DynamicNode> aWaitThatSeesNoLinkEndsByOnError() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicTest("[" + jdk.label() + "] fail-closed refuses naming"
                + " c0 and the time; fail-open goes unpinned (by a0)", () -> {
            Path config = TestFiles.write(work.resolve(jdk.name() + "-giveup.conf"), "ifpin.rules = [\n"
                    + "{ name = closed, cidrs = [\"203.0.113.10/32\"], interface = c0, wait-for-interface = 1s,"
                    + " on-error = fail-closed },\n"
                    + "{ name = open, cidrs = [\"203.0.113.20/32\"], interface = [c0], wait-for-interface = 1s } ]\n");
            ChildResult closed = app(jdk, config, "wait", "203.0.113.10", "0", "true");
            assertEquals(List.of("CONNECT failed:ifpin refused TCP to 203.0.113.10:7000: rule 'closed' (" + config
                    + ":2), on-error = fail-closed, waited 1000 ms for c0, none came up"), closed.stdout(),
                    closed.describe());
            assertTrue(closed.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] ERROR rule 'closed' (" + config
                    + ":2): TCP socket ") && l.contains(" waited 1000 ms for c0 and none came up (c0 is missing). The"
                    + " socket is refused (on-error = fail-closed). Fix: ")), closed.describe());
            ChildResult open = app(jdk, config, "wait", "203.0.113.20", "0", "true");
            assertEquals(List.of("CONNECT ok local=" + V4_BY_A), open.stdout(), open.describe());
            assertTrue(open.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] ERROR rule 'open' (")
                    && l.contains(" waited 1000 ms for c0 and none came up (c0 is missing). The socket proceeds"
                    + " unpinned (fail-open).")), open.describe());
        }));
    }

    @TestFactory
    Stream<DynamicNode> aWaitingVirtualThreadDoesNotHoldItsCarrier() {
        return Stream.of(dynamicTest("[" + TestJdk.JDK_25.label() + "] 20 virtual threads wait on one carrier for c0;"
                + " another virtual thread runs meanwhile; no VirtualThreadPinned event in ifpin", () -> {
            Path config = TestFiles.write(work.resolve("vwait.conf"), "ifpin.rules = [ { name = corp, cidrs ="
                    + " [\"203.0.113.10/32\"], interface = [c0], wait-for-interface = 20s, on-error = fail-closed } ]\n");
            ChildResult result;
            try {
                result = ChildJvm.on(TestJdk.JDK_25)
                        .agent(ItEnv.agentJar(), config)
                        .jvmOption("-Djdk.virtualThreadScheduler.parallelism=1")
                        .jvmOption("-Djdk.virtualThreadScheduler.maxPoolSize=1")
                        .classpath(ItEnv.testClasses())
                        .main(APP_CLASS, "vwait", "203.0.113.10", "20", "1500", c0Add())
                        .runIn(lab);
            } finally {
                lab.runInClient(false, "ip", "link", "del", "c0");
            }
            assertEquals(List.of("CONNECTS ok=20 failed=0 local=[" + V4_BY_C + "]", "TICKS while-waiting=some",
                    "PINNED all=0 in-ifpin=0"), result.stdout(), result.describe());
        }));
    }

    private static ChildResult flap(TestJdk jdk) {
        Path audit = work.resolve(jdk.name() + "-audit.jsonl");
        Path config = TestFiles.write(work.resolve(jdk.name() + "-flap.conf"), "ifpin { audit { file = \"" + audit
                + "\" }, rules = [ { name = corp, cidrs = [\"203.0.113.10/32\", \"2001:db8:f::10/128\"], interface ="
                + " [c0, b0] } ] }\n");
        try {
            return app(jdk, config, "flap", "203.0.113.10,2001:db8:f::10", "b0", "c0=" + c0Add(),
                    "b0=ip link set c0 down", "c0=" + c0Up(), "b0=ip link del c0", "c0=" + c0Add());
        } finally {
            lab.runInClient(false, "ip", "link", "del", "c0");
        }
    }

    private static ChildResult app(TestJdk jdk, Path config, String... args) {
        return ChildJvm.on(jdk)
                .agent(ItEnv.agentJar(), config)
                .classpath(ItEnv.testClasses())
                .main(APP_CLASS, args)
                .runIn(lab);
    }

    /** The ROUND lines between STEP lines, each group one phase (the rounds before the first step, then after each). */
    private static List<List<String>> phases(ChildResult result) {
        List<List<String>> phases = new ArrayList<>();
        phases.add(new ArrayList<>());
        for (String line : result.stdout()) {
            if (line.startsWith("STEP ")) {
                phases.add(new ArrayList<>());
            } else if (line.startsWith("ROUND ")) {
                phases.get(phases.size() - 1).add(line);
            }
        }
        return phases;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
