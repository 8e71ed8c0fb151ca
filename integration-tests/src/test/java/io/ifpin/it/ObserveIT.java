package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.PolicyApp;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 against the real kernel: in {@code ifpin.mode = observe} deny and pin rules change nothing about where
 * sockets go, and the audit log says what they would have done; and the rollout: observe an application, {@code learn}
 * an allow-list from its audit log, {@code check} it, enforce it: everything the application did passes, and another
 * name for the same address, an unobserved port or protocol is refused.
 */
class ObserveIT {
    private static final String A0_V4 = "192.0.2.2";

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("obs");
    @TempDir
    static Path work;

    private static ChildResult app(TestJdk jdk, Path config, String... args) {
        return child(jdk, config, args).runIn(lab);
    }

    private static ChildJvm child(TestJdk jdk, Path config, String... args) {
        return ChildJvm.on(jdk).classpath(ItEnv.testClasses()).main(PolicyApp.class.getName(), args)
                .timeout(Duration.ofMinutes(3)).agent(ItEnv.agentJar(), config);
    }

    private static ChildResult cli(TestJdk jdk, String... args) {
        return ChildJvm.on(jdk).classpath(ItEnv.agentJar()).main("io.ifpin.agent.IfpinAgent", args).runIn(lab);
    }

    private static String line(ChildResult result, String prefix) {
        return result.stdout().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting \"" + prefix + "\"" + result.describe()));
    }

    private static int localPort(String probeLine) {
        return Integer.parseInt(probeLine.substring(probeLine.lastIndexOf(':') + 1));
    }

    private static List<String> auditLines(Path audit, ChildResult result) {
        try {
            return Files.readAllLines(audit);
        } catch (IOException e) {
            throw new UncheckedIOException("no audit log" + result.describe(), e);
        }
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void inObserveModeDenyAndPinRulesChangeNothingAndTheAuditSaysWhatTheyWouldHaveDone(TestJdk jdk) {
        Path audit = work.resolve("observe-" + jdk + ".jsonl");
        Path conf = TestFiles.write(work.resolve("observe-" + jdk + ".conf"), """
                ifpin {
                  audit.file = "%s"
                  rules = [
                    { name = no-server, cidrs = ["203.0.113.10/32"], action = deny }
                    { name = to-b, cidrs = ["203.0.113.20/32"], interface = b0, on-error = fail-closed }
                  ]
                }
                """.formatted(audit));
        // observe by -Difpin.mode (the file says nothing, so it would enforce); the next test sets it in the file
        ChildResult r = child(jdk, conf, "probe", "tcp", "203.0.113.10", "7000", "tcp", "203.0.113.20", "7000",
                "udp", "203.0.113.10", "7000").jvmOption("-Difpin.mode=observe").runIn(lab);
        String denied = line(r, "PROBE tcp 203.0.113.10");
        String pinned = line(r, "PROBE tcp 203.0.113.20");
        assertTrue(denied.contains(" OK local=") && pinned.contains(" OK local="), r.describe());
        assertTrue(line(r, "PROBE udp 203.0.113.10").contains(" OK local="), r.describe());
        assertTrue(lab.awaitSaw(A0_V4, localPort(denied)).isPresent(), "not refused: left by a0" + r.describe());
        assertTrue(lab.awaitSaw(A0_V4, localPort(pinned)).isPresent(), "not pinned to b0: left by a0" + r.describe());
        assertEquals("SNMP tcp-active-opens=2 udp-out-datagrams=1", line(r, "SNMP"), r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains(": observe mode: every socket is decided, logged,"
                + " counted and audited as would-pin/would-deny/would-allow, and none is pinned or refused; 2 rule(s)")),
                r.describe());
        assertTrue(r.agentLines().stream().anyMatch(l -> l.contains("INFO observe mode: rule 'no-server' (" + conf
                + ":4) would deny TCP socket")), r.describe());
        List<String> lines = auditLines(audit, r);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"rule\":\"no-server\",\"action\":\"deny\",\"protocol\":"
                + "\"tcp\"") && l.contains("\"remote\":\"203.0.113.10:7000\"") && l.contains(
                "\"result\":\"would-deny\"")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"rule\":\"to-b\",\"action\":\"pin\"") && l.contains(
                "\"interface\":\"b0\",\"result\":\"would-pin\",\"errno\":null")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"protocol\":\"udp\"") && l.contains(
                "\"result\":\"would-deny\"")), lines.toString());
    }

    /** Destinations by name (a name carried by the address, no resolver) and by address; TCP and UDP; v4 and v6. */
    private static final String[] OBSERVED = {
        "probe",
        "tcp", "api.example=203.0.113.10", "7000",
        "udp", "api.example=203.0.113.10", "7000",
        "tcp", "203.0.113.20", "7000",
        "tcp", "v6.example=2001:db8:f::10", "7000",
        "udp", "2001:db8:f::20", "7000"};

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void observeThenLearnThenCheckThenEnforceKeepsWhatTheApplicationDidAndRefusesTheRest(TestJdk jdk) {
        Path audit = work.resolve("learn-" + jdk + ".jsonl");
        Path observeConf = TestFiles.write(work.resolve("learn-observe-" + jdk + ".conf"), """
                ifpin {
                  mode = observe
                  audit.file = "%s"
                }
                """.formatted(audit));
        ChildResult observed = app(jdk, observeConf, OBSERVED);
        assertEquals(5, observed.stdout().stream().filter(l -> l.startsWith("PROBE ") && l.contains(" OK local="))
                .count(), observed.describe());

        Path learned = work.resolve("learned-" + jdk + ".conf");
        ChildResult learn = cli(jdk, "learn", audit.toString(), "--out", learned.toString());
        assertEquals(0, learn.exitCode(), learn.describe());
        // api.example and v6.example: both TCP 7000 by name, one rule
        assertTrue(learn.stderr().stream().anyMatch(l -> l.startsWith("ifpin learn: 5 decision(s) read from 5 line(s)"
                + " in 1 file(s); 5 destination(s); 4 rule(s) written (4 allow, 0 kept from --config, 0 pin);"
                + " 0 malformed line(s) skipped")), learn.describe());
        ChildResult check = cli(jdk, "check", learned.toString());
        assertEquals(0, check.exitCode(), check.describe());
        assertTrue(check.stdout().get(0).contains("is valid: 4 rule(s)"), check.describe());

        String[] probes = new String[OBSERVED.length + 12];
        System.arraycopy(OBSERVED, 0, probes, 0, OBSERVED.length);
        System.arraycopy(new String[] {
            "tcp", "other.example=203.0.113.10", "7000", // another name for the same address
            "tcp", "203.0.113.10", "7000", //               the same address without the name
            "tcp", "api.example=203.0.113.10", "7443", //   an unobserved port (the server listens there)
            "udp", "203.0.113.20", "7000"}, 0, probes, OBSERVED.length, 12); // an unobserved protocol
        ChildResult enforced = app(jdk, learned, probes);
        for (int i = 1; i < OBSERVED.length; i += 3) {
            String probe = "PROBE " + OBSERVED[i] + " " + OBSERVED[i + 1] + ":" + OBSERVED[i + 2] + " ";
            assertTrue(line(enforced, probe).contains(" OK local="), probe + enforced.describe());
        }
        assertTrue(line(enforced, "PROBE tcp other.example=").contains("REFUSED java.net.ConnectException: ifpin"
                + " refused TCP to 203.0.113.10:7000: rule '(default)'"), enforced.describe());
        assertTrue(line(enforced, "PROBE tcp 203.0.113.10:7000").contains("REFUSED java.net.ConnectException"),
                enforced.describe());
        assertTrue(line(enforced, "PROBE tcp api.example=203.0.113.10:7443").contains("REFUSED"
                + " java.net.ConnectException: ifpin refused TCP to 203.0.113.10:7443"), enforced.describe());
        assertTrue(line(enforced, "PROBE udp 203.0.113.20:7000").contains("REFUSED java.net.SocketException"),
                enforced.describe());
        // TCP's counter covers IPv4 and IPv6, UDP's (/proc/net/snmp) IPv4 only: the three observed TCP connects and
        // the IPv4 datagram, none of the refused ones
        assertEquals("SNMP tcp-active-opens=3 udp-out-datagrams=1", line(enforced, "SNMP"), "only what was observed"
                + " left" + enforced.describe());
    }
}
