package io.ifpin.it;

import io.ifpin.demo.cases.Cases;
import io.ifpin.demo.cases.SocketCase;
import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.LegacyAppOutput.CaseLine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The core claim: with a rule for a destination, EVERY way of opening a socket leaves by the
 * rule's interface (b0); without a matching rule, or without the agent, it leaves by the default
 * route (a0). One child JVM per (JDK × IP family × scenario) runs all LegacyApp cases; each case
 * is then asserted as its own dynamic test, so the report names every case.
 *
 * <p>Also holds the stdout checks (the agent never writes to stdout; {@code [ifpin]} only on
 * stderr), asserted for every run.
 */
class PinningIT {

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("pin");
    @TempDir
    static Path work;
    private static Path hosts;

    @BeforeAll
    static void writeHosts() {
        hosts = TestFiles.writeHosts(work);
    }

    /** What the application is told to connect to, and what the server should see, per family. */
    enum Family {
        IPV4("IPv4", "203.0.113.10", "203.0.113.10/32", "api.corp.example", "203.0.113.20", "other.example", "192.0.2.2", "198.51.100.2"),
        IPV6("IPv6", "2001:db8:f::10", "2001:db8:f::10/128", "api6.corp.example", "2001:db8:f::20", "other6.example", "2001:db8:a::2", "2001:db8:b::2");

        final String label;
        final String serviceIp;
        final String serviceCidr;
        final String corpName;
        /** A second server address that no rule matches, and a name for it. */
        final String otherIp;
        final String otherName;
        /** Client address on a0: the default route. */
        final String viaA0;
        /** Client address on b0: the pinned interface. */
        final String viaB0;

        Family(String label, String serviceIp, String serviceCidr, String corpName, String otherIp, String otherName, String viaA0, String viaB0) {
            this.label = label;
            this.serviceIp = serviceIp;
            this.serviceCidr = serviceCidr;
            this.corpName = corpName;
            this.otherIp = otherIp;
            this.otherName = otherName;
            this.viaA0 = viaA0;
            this.viaB0 = viaB0;
        }
    }

    enum Scenario {
        CIDR_RULE("cidr-rule", "CIDR rule -> b0", true),
        HOSTNAME_RULE("hostname-rule", "hostname rule *.corp.example -> b0", true),
        NO_MATCHING_ADDRESS("no-matching-address", "address matching no rule -> default route", false),
        NO_MATCHING_NAME("no-matching-name", "name matching no rule -> default route", false),
        WITHOUT_AGENT("without-agent", "without the agent -> default route (proves the test can fail)", false);

        final String shortName;
        final String label;
        final boolean pinned;

        Scenario(String shortName, String label, boolean pinned) {
            this.shortName = shortName;
            this.label = label;
            this.pinned = pinned;
        }

        boolean withAgent() {
            return this != WITHOUT_AGENT;
        }

        String host(Family family) {
            switch (this) {
                case HOSTNAME_RULE:
                    return family.corpName;
                case NO_MATCHING_ADDRESS:
                    return family.otherIp;
                case NO_MATCHING_NAME:
                    return family.otherName;
                default:
                    return family.serviceIp;
            }
        }

        /** The rules in force; the no-match scenarios have both kinds, and neither may match. */
        AgentConfig config(Family family) {
            switch (this) {
                case CIDR_RULE:
                    return AgentConfig.create().cidrRule("corp-cidr", "b0", family.serviceCidr);
                case HOSTNAME_RULE:
                    return AgentConfig.create().hostRule("corp-hosts", "b0", "*.corp.example");
                default:
                    return AgentConfig.create()
                            .cidrRule("corp-cidr", "b0", family.serviceCidr)
                            .hostRule("corp-hosts", "b0", "*.corp.example");
            }
        }

        String ruleName() {
            return this == HOSTNAME_RULE ? "corp-hosts" : "corp-cidr";
        }
    }

    @TestFactory
    Stream<DynamicNode> everySocketCaseIsPinned() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(),
                Stream.of(Family.values()).map(family -> dynamicContainer(family.label,
                        Stream.of(Scenario.values()).map(scenario -> scenarioTests(jdk, family, scenario))))));
    }

    private DynamicNode scenarioTests(TestJdk jdk, Family family, Scenario scenario) {
        String host = scenario.host(family);
        String expectedIp = scenario.pinned ? family.viaB0 : family.viaA0;
        String expectedVia = scenario.pinned ? "b0" : "a0";
        Lazy<ChildResult> run = new Lazy<>(() -> runLegacyApp(jdk, family, scenario, host, expectedIp));
        // Leaf names carry their context: XML reports and console summaries show only the leaf.
        String context = "[" + jdk.label() + " " + family.label + " " + scenario.shortName + "] ";

        List<DynamicNode> tests = new ArrayList<>();
        for (SocketCase socketCase : Cases.all()) {
            String notApplicable = notApplicableBecause(socketCase, jdk);
            boolean applicable = notApplicable == null;
            String title = context + socketCase.name() + " (" + socketCase.protocol() + ") to " + host + " -> "
                    + (applicable ? expectedIp + " via " + expectedVia : "n/a: " + notApplicable);
            tests.add(dynamicTest(title, () -> assertCase(run.get(), socketCase, applicable, expectedIp)));
        }
        tests.add(dynamicTest(context + "exit code 0 (LegacyApp --expect " + expectedIp + ")", () -> {
            ChildResult result = run.get();
            assertEquals(0, result.exitCode(), "LegacyApp reported a miss or error" + result.describe());
        }));
        tests.add(dynamicTest(context + "server log agrees: a SAW line for every reported peer", () -> assertServerSawEveryPeer(run.get())));
        tests.add(dynamicTest(context + "stdout holds only LegacyApp lines (the agent writes nothing on stdout)", () -> assertCleanStdout(run.get())));
        if (scenario.withAgent()) {
            tests.add(dynamicTest(context + "stderr: [ifpin] lines are well-formed and an INFO startup line names the rules",
                    () -> assertAgentStderr(run.get(), scenario)));
        } else {
            tests.add(dynamicTest(context + "stderr: no [ifpin] output without the agent",
                    () -> assertTrue(run.get().agentLines().isEmpty(), "unexpected agent output" + run.get().describe())));
        }
        return dynamicContainer(scenario.label, tests.stream());
    }

    /**
     * Why a case cannot run here, or null when it must. io_uring is a property of the kernel (and of sysctl
     * kernel.io_uring_disabled and seccomp filters), not of ifpin: without it the io_uring cases are n/a, also on CI.
     */
    static String notApplicableBecause(SocketCase socketCase, TestJdk jdk) {
        if (socketCase.name().equals("virtual-thread-socket") && jdk.feature() < 21) {
            return "no virtual threads before JDK 21";
        }
        if (socketCase.name().startsWith("netty-io-uring") && !io.netty.channel.uring.IoUring.isAvailable()) {
            return "io_uring unavailable on this kernel (" + io.netty.channel.uring.IoUring.unavailabilityCause() + ")";
        }
        return null;
    }

    private ChildResult runLegacyApp(TestJdk jdk, Family family, Scenario scenario, String host, String expectedIp) {
        ChildJvm child = ChildJvm.on(jdk)
                .hostsFile(hosts)
                .classpath(ItEnv.demoJar())
                .main("io.ifpin.demo.LegacyApp", "--expect", expectedIp, host);
        if (scenario.withAgent()) {
            Path config = scenario.config(family)
                    .writeTo(work.resolve(jdk.name() + "-" + family.name() + "-" + scenario.name() + ".conf"));
            child.agent(ItEnv.agentJar(), config);
        }
        ChildResult result = child.runIn(lab);
        CompatRecords.write(jdk, family.name(), scenario.name(), result.stdout(), expectedIp);
        return result;
    }

    private static void assertCase(ChildResult result, SocketCase socketCase, boolean applicable, String expectedIp) {
        CaseLine line = LegacyAppOutput.parse(result.stdout()).get(socketCase.name());
        assertNotNull(line, "LegacyApp printed no line for case " + socketCase.name() + result.describe());
        if (!applicable) {
            assertTrue(line.notApplicable(), "expected n/a, got: " + line.result());
            return;
        }
        assertEquals(expectedIp, line.peerIp().orElse(line.result()),
                "server-seen peer for case " + socketCase.name() + result.describe());
    }

    private static void assertServerSawEveryPeer(ChildResult result) {
        Map<String, CaseLine> lines = LegacyAppOutput.parse(result.stdout());
        List<String> unseen = lines.values().stream()
                .filter(line -> line.peerIp().isPresent())
                .filter(line -> lab.awaitSaw(line.peerIp().get(), line.peerPort().get()).isEmpty())
                .map(CaseLine::name)
                .collect(Collectors.toList());
        assertTrue(unseen.isEmpty(), "no SAW line on the server for " + unseen + result.describe());
    }

    private static void assertCleanStdout(ChildResult result) {
        List<String> foreign = result.stdout().stream()
                .filter(line -> !LegacyAppOutput.isLegacyAppLine(line))
                .collect(Collectors.toList());
        assertTrue(foreign.isEmpty(), "stdout lines that LegacyApp did not print: " + foreign + result.describe());
        assertEquals(Cases.all().size(), result.stdout().size(), "one stdout line per case" + result.describe());
    }

    private static void assertAgentStderr(ChildResult result, Scenario scenario) {
        List<String> agentLines = result.agentLines();
        assertFalse(agentLines.isEmpty(), "the agent logged nothing on stderr" + result.describe());
        List<String> malformed = agentLines.stream()
                .filter(line -> !line.matches("^\\[ifpin] (ERROR|WARN|INFO|DEBUG) .*"))
                .collect(Collectors.toList());
        assertTrue(malformed.isEmpty(), "[ifpin] lines not of the form '[ifpin] LEVEL ...': " + malformed + result.describe());
        assertTrue(agentLines.stream().anyMatch(line -> line.startsWith("[ifpin] INFO") && line.contains(scenario.ruleName()) && line.contains("b0")),
                "no INFO startup line naming rule " + scenario.ruleName() + " and b0" + result.describe());
    }
}
