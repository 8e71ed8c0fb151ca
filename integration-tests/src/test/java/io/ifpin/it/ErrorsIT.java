package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.LegacyAppOutput.CaseLine;
import io.ifpin.it.apps.UdpTwoDestinationsApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The agent's failure modes, provoked for real: a rule naming a missing interface (ENODEV), and
 * an unprivileged process whose socket must be moved from one interface to another (EPERM:
 * changing an existing SO_BINDTODEVICE binding needs CAP_NET_RAW). Both must fail open (the
 * connection still works, unpinned) and be reported once, on stderr, with the tokens an operator
 * needs: errno name, rule, interface(s), and for EPERM the capability.
 */
class ErrorsIT {

    private static final String APP_CLASS = UdpTwoDestinationsApp.class.getName();

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("err");
    @TempDir
    static Path work;
    private static Path hosts;

    @BeforeAll
    static void writeHosts() {
        hosts = TestFiles.writeHosts(work);
    }

    @TestFactory
    Stream<DynamicNode> errorsAreReportedAndFailOpen() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(), Stream.of(
                missingInterface(jdk),
                unprivilegedRebind(jdk),
                privilegedRebind(jdk))));
    }

    // ---- ENODEV -------------------------------------------------------------------------------

    private DynamicNode missingInterface(TestJdk jdk) {
        String context = "[" + jdk.label() + " ENODEV] ";
        String rule = "to-nowhere";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            Path config = AgentConfig.create().cidrRule(rule, "nosuch0", "203.0.113.10/32")
                    .writeTo(work.resolve(jdk.name() + "-enodev.conf"));
            return ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), config)
                    .hostsFile(hosts)
                    .classpath(ItEnv.demoJar())
                    .main("io.ifpin.demo.LegacyApp", "--cases", "socket,datagram-socket-send", "--expect", "192.0.2.2", "203.0.113.10")
                    .runIn(lab);
        });
        return dynamicContainer("ENODEV: rule " + rule + " -> interface nosuch0 (missing)", Stream.of(
                dynamicTest(context + "a connect-time line names ENODEV, the rule, nosuch0 and the socket", () -> {
                    ChildResult result = run.get();
                    assertTrue(firstSocketReport(result, "ENODEV", rule, "nosuch0", "203.0.113.10") >= 0,
                            "no ENODEV line naming " + rule + ", nosuch0 and the socket to 203.0.113.10" + result.describe());
                }),
                dynamicTest(context + "a startup WARN (before any connect) names the rule and nosuch0", () -> {
                    ChildResult result = run.get();
                    // stderr is one ordered stream: "startup" = logged before the first connect-time report.
                    int firstConnectReport = firstSocketReport(result, "ENODEV", rule, "nosuch0", "203.0.113.10");
                    List<String> beforeConnect = firstConnectReport < 0 ? result.stderr() : result.stderr().subList(0, firstConnectReport);
                    assertTrue(beforeConnect.stream().anyMatch(line -> line.startsWith("[ifpin] WARN") && line.contains(rule) && line.contains("nosuch0")),
                            "no WARN naming " + rule + " and nosuch0 before the first connect" + result.describe());
                }),
                dynamicTest(context + "fails open: TCP and UDP still reach the server, via a0 (peer 192.0.2.2)", () -> {
                    ChildResult result = run.get();
                    for (String name : List.of("socket", "datagram-socket-send")) {
                        CaseLine line = LegacyAppOutput.parse(result.stdout()).get(name);
                        assertNotNull(line, "LegacyApp printed no line for case " + name + result.describe());
                        assertEquals("192.0.2.2", line.peerIp().orElse(line.result()), name + result.describe());
                    }
                    assertEquals(0, result.exitCode(), result.describe());
                })));
    }

    /**
     * Index in stderr of the first agent line reporting {@code errno} for a socket: it names the
     * errno, the rule, the interface and the socket — recognised by its destination endpoint
     * ({@code <ip>:<port>}, unlike a startup line, which can only name the rule's CIDR).
     */
    private static int firstSocketReport(ChildResult result, String errno, String rule, String iface, String destinationIp) {
        List<String> stderr = result.stderr();
        for (int i = 0; i < stderr.size(); i++) {
            if (isSocketReport(stderr.get(i), errno, rule, iface, destinationIp)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSocketReport(String line, String errno, String rule, String iface, String destinationIp) {
        return line.startsWith("[ifpin] ") && line.contains(errno) && line.contains(rule) && line.contains(iface)
                && line.contains(destinationIp + ":");
    }

    // ---- EPERM --------------------------------------------------------------------------------

    /** Sends to the first destination go to b0 (rule to-b), to the second to a0 (rule to-a). */
    private static AgentConfig twoInterfaceRules() {
        return AgentConfig.create()
                .cidrRule("to-b", "b0", "203.0.113.10/32")
                .cidrRule("to-a", "a0", "203.0.113.20/32");
    }

    private DynamicNode unprivilegedRebind(TestJdk jdk) {
        String context = "[" + jdk.label() + " EPERM as nobody] ";
        int secondSends = 3;
        Lazy<ChildResult> run = new Lazy<>(() -> runAsNobody(jdk, secondSends));
        return dynamicContainer("EPERM: unprivileged (uid 65534, no capabilities), one UDP socket, to-b then "
                + secondSends + "x to-a", Stream.of(
                dynamicTest(context + "first datagram (rule to-b, first binding needs no privilege) leaves by b0", () -> {
                    ChildResult result = run.get();
                    assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("send 1 203.0.113.10 PEER 198.51.100.2 ")),
                            "first datagram not seen from 198.51.100.2" + result.describe());
                }),
                dynamicTest(context + "exactly one EPERM report for " + secondSends + " failing re-binds (reported once)", () -> {
                    ChildResult result = run.get();
                    List<String> reports = epermReports(result);
                    assertEquals(1, reports.size(), "EPERM reports naming the socket to 203.0.113.20: " + reports + result.describe());
                }),
                dynamicTest(context + "repeats are counted, not re-logged: any other EPERM line is a count of " + secondSends, () -> {
                    // The agent may log a summary at exit ("... happened 3 times"); that is the
                    // counting. What must not happen is a second report of the same failure.
                    ChildResult result = run.get();
                    List<String> reports = epermReports(result);
                    List<String> others = epermLines(result).stream().filter(line -> !reports.contains(line)).collect(Collectors.toList());
                    assertTrue(others.stream().allMatch(line -> !line.contains("CAP_NET_RAW") && line.matches(".*\\b" + secondSends + "\\b.*")),
                            "EPERM lines other than the report must be a count of " + secondSends + ": " + others + result.describe());
                }),
                dynamicTest(context + "the EPERM report names CAP_NET_RAW, rule to-a, a0 and b0", () -> {
                    ChildResult result = run.get();
                    List<String> reports = epermReports(result);
                    assertTrue(reports.stream().anyMatch(line -> line.contains("CAP_NET_RAW") && line.contains("to-a")
                            && line.contains("a0") && line.contains("b0")), "EPERM report lacks a token: " + reports + result.describe());
                }),
                dynamicTest(context + "fails open: every datagram got its reply, exit code 0", () -> {
                    ChildResult result = run.get();
                    long replies = result.stdout().stream().filter(l -> l.matches("send \\d+ \\S+ PEER .*")).count();
                    assertEquals(1 + secondSends, replies, result.describe());
                    assertEquals(0, result.exitCode(), result.describe());
                })));
    }

    private DynamicNode privilegedRebind(TestJdk jdk) {
        String context = "[" + jdk.label() + " EPERM control as root] ";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            Path config = twoInterfaceRules().writeTo(work.resolve(jdk.name() + "-eperm-root.conf"));
            return ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), config)
                    .hostsFile(hosts)
                    .classpath(ItEnv.testClasses())
                    .main(APP_CLASS, "203.0.113.10", "203.0.113.20", "1")
                    .runIn(lab);
        });
        return dynamicContainer("EPERM control: the same as root (CAP_NET_RAW)", Stream.of(
                dynamicTest(context + "no EPERM line", () -> {
                    ChildResult result = run.get();
                    assertTrue(epermLines(result).isEmpty(), result.describe());
                }),
                dynamicTest(context + "first datagram leaves by b0 (198.51.100.2)", () -> {
                    ChildResult result = run.get();
                    assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("send 1 203.0.113.10 PEER 198.51.100.2 ")),
                            "first datagram not seen from 198.51.100.2" + result.describe());
                }),
                dynamicTest(context + "second datagram is re-bound and leaves by a0 (192.0.2.2)", () -> {
                    ChildResult result = run.get();
                    assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("send 2 203.0.113.20 PEER 192.0.2.2 ")),
                            "second datagram not seen from 192.0.2.2" + result.describe());
                    assertEquals(0, result.exitCode(), result.describe());
                })));
    }

    private static List<String> epermLines(ChildResult result) {
        return result.stderr().stream().filter(line -> line.contains("EPERM")).collect(Collectors.toList());
    }

    /** EPERM lines that report the failing socket (to the second destination, rule to-a). */
    private static List<String> epermReports(ChildResult result) {
        return result.stderr().stream()
                .filter(line -> isSocketReport(line, "EPERM", "to-a", "a0", "203.0.113.20"))
                .collect(Collectors.toList());
    }

    /** Runs UdpTwoDestinationsApp as nobody, from a directory that user can read. */
    private ChildResult runAsNobody(TestJdk jdk, int secondSends) {
        try (NobodyDir dir = new NobodyDir(APP_CLASS, twoInterfaceRules())) {
            return dir.tmpOptions(ChildJvm.on(jdk))
                    .asNobody()
                    .agent(dir.agentJar(), dir.config())
                    .hostsFile(dir.add(hosts, "hosts"))
                    .classpath(dir.classes())
                    .main(APP_CLASS, "203.0.113.10", "203.0.113.20", Integer.toString(secondSends))
                    .runIn(lab);
        }
    }
}
