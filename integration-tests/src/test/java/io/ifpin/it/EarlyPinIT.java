package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.PolicyApp;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets an application opens as it starts, before ifpin's native side is loaded: a plain pin rule's TCP sockets are
 * pinned at once through the JDK's own {@code setsockopt(SO_BINDTOIFINDEX)} (io.ifpin.pin.EarlyPins) instead of
 * waiting, leave by the rule's interface on IPv4 and IPv6, and are counted in the MBean as the real hook's pins are.
 * The control: with an audit log (which only the real hook writes) the same sockets wait, and are pinned all the same.
 */
class EarlyPinIT {

    private static final String EARLY_LINE = "socket(s) pinned through the JDK (SO_BINDTOIFINDEX) before native"
            + " access was ready";

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("epn");
    @TempDir
    static Path work;

    private static ChildResult probe(TestJdk jdk, Path config) {
        return ChildJvm.on(jdk).classpath(ItEnv.testClasses()).jvmOption("-Difpin.log.level=debug")
                .main(PolicyApp.class.getName(), "probe", "tcp", "203.0.113.10", "7000", "channel", "203.0.113.10",
                        "7000", "tcp", "2001:db8:f::10", "7000", "--mbean")
                .agent(ItEnv.agentJar(), config).timeout(Duration.ofMinutes(2)).runIn(lab);
    }

    private static void assertPinnedToB0(ChildResult r) {
        for (String prefix : List.of("PROBE tcp 203.0.113.10", "PROBE channel 203.0.113.10")) {
            String line = line(r, prefix);
            assertTrue(line.matches(".* OK local=/?198\\.51\\.100\\.2:\\d+"), line + r.describe());
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            assertTrue(lab.awaitSaw("198.51.100.2", port).isPresent(), "the server saw it from b0: " + line
                    + r.describe());
        }
        String v6 = line(r, "PROBE tcp 2001:db8:f::10");
        assertTrue(v6.contains(" OK local=[2001:db8:b:0:0:0:0:2]:"), v6 + r.describe());
        assertEquals("MBEAN early matched=3 pinned=3 allowed=0 denied=0 errors=0 refused=0", line(r, "MBEAN early"),
                "every socket counted once, early or not" + r.describe());
    }

    private static String line(ChildResult r, String prefix) {
        return r.stdout().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting \"" + prefix + "\"" + r.describe()));
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void startupSocketsOfAPlainPinRuleArePinnedWithoutWaiting(TestJdk jdk) {
        Path config = TestFiles.write(work.resolve("early-" + jdk + ".conf"), """
                ifpin.rules = [ { name = early, cidrs = ["203.0.113.10/32", "2001:db8:f::10/128"], interface = b0 } ]
                """);
        ChildResult r = probe(jdk, config);
        assertEquals(0, r.exitCode(), r.describe());
        assertPinnedToB0(r);
        List<String> early = r.agentLines().stream().filter(l -> l.contains(EARLY_LINE)).toList();
        assertEquals(1, early.size(), "the first probe runs as main starts, long before native access" + r.describe());
        int count = Integer.parseInt(early.get(0).replaceAll(".*DEBUG (\\d+) socket.*", "$1"));
        assertTrue(count >= 1 && count <= 3, early.get(0));
    }

    @ParameterizedTest
    @EnumSource(TestJdk.class)
    void withAnAuditLogTheSameSocketsWaitForTheRealHook(TestJdk jdk) {
        Path config = TestFiles.write(work.resolve("audited-" + jdk + ".conf"), """
                ifpin {
                  audit.file = "%s"
                  rules = [ { name = early, cidrs = ["203.0.113.10/32", "2001:db8:f::10/128"], interface = b0 } ]
                }
                """.formatted(work.resolve("audit-" + jdk + ".jsonl")));
        ChildResult r = probe(jdk, config);
        assertEquals(0, r.exitCode(), r.describe());
        assertPinnedToB0(r);
        assertTrue(r.agentLines().stream().noneMatch(l -> l.contains(EARLY_LINE)), r.describe());
    }
}
