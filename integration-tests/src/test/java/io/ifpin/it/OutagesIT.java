package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.FaultStepsApp;
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
 * Issue 19 item 3: an application connects again and again through a rule pinned to b0 while b0 is taken away, put
 * back, taken away again and put back. Each outage is reported when it starts and when it ends, with its count.
 *
 * <p>"Taken away" is a rename (b0 to b0gone): for SO_BINDTODEVICE that is what a deleted link is (no device of that
 * name, ENODEV), and it can be undone without rebuilding the veth pair. Putting it back re-adds the default route via
 * b0 that the link going down removed.
 */
class OutagesIT {

    private static final String APP_CLASS = FaultStepsApp.class.getName();
    private static final int CONNECTS = 5;
    private static final List<String> TAKE_AWAY = List.of("run ip link set b0 down", "run ip link set b0 name b0gone");
    private static final List<String> PUT_BACK = List.of("run ip link set b0gone name b0", "run ip link set b0 up",
            "run ip route replace default via 198.51.100.1 dev b0 metric 200");

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("out");
    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> eachOutageIsReportedWhenItStartsAndEnds() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            Lazy<ChildResult> run = new Lazy<>(() -> run(jdk));
            String context = "[" + jdk.label() + "] ";
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "two ERROR lines: one per outage, each naming ENODEV, the rule and b0", () -> {
                        ChildResult result = run.get();
                        List<String> errors = result.stderr().stream().filter(l -> l.startsWith("[ifpin] ERROR rule"
                                + " 'storage'") && l.contains(": ENODEV. ") && l.contains("'b0'")).toList();
                        assertEquals(2, errors.size(), result.describe());
                        assertTrue(errors.stream().allMatch(l -> l.endsWith("(reported once per outage; repeats are"
                                + " counted until pinning to 'b0' works again)")), result.describe());
                    }),
                    dynamicTest(context + "two INFO lines: pinning to 'b0' works again after " + CONNECTS + " failures",
                            () -> {
                        ChildResult result = run.get();
                        List<String> ends = result.stderr().stream().filter(l -> l.startsWith("[ifpin] INFO rule"
                                + " 'storage': pinning to 'b0' works again after ")).toList();
                        assertEquals(2, ends.size(), result.describe());
                        assertTrue(ends.stream().allMatch(l -> l.contains(" after " + CONNECTS + " failure(s) with"
                                + " ENODEV since ")), result.describe());
                    }),
                    dynamicTest(context + "the MBean counts each outage and its failures", () -> {
                        ChildResult result = run.get();
                        List<String> rows = result.stdout().stream().filter(l -> l.startsWith("ROW ")).toList();
                        assertEquals(3, rows.size(), result.describe());
                        assertTrue(rows.get(0).startsWith("ROW storage outages=1 outageFailures=" + CONNECTS + " errors="
                                + CONNECTS + " outageSince=20") && rows.get(0).endsWith(" lastOutageEnded= OpenOutages=1"),
                                result.describe());
                        assertTrue(rows.get(1).startsWith("ROW storage outages=2 outageFailures=" + CONNECTS + " errors="
                                + 2 * CONNECTS + " outageSince=20") && rows.get(1).contains(" lastOutageEnded=20")
                                && rows.get(1).endsWith(" OpenOutages=1"), result.describe());
                        assertTrue(rows.get(2).startsWith("ROW storage outages=2 outageFailures=0 errors="
                                + 2 * CONNECTS + " outageSince= lastOutageEnded=20") && rows.get(2).endsWith(
                                " OpenOutages=0"), result.describe());
                    }),
                    dynamicTest(context + "connects work throughout: by b0 when it is there, unpinned (a0) when not", () -> {
                        ChildResult result = run.get();
                        List<String> connects = result.stdout().stream().filter(l -> l.startsWith("CONNECT ")).toList();
                        String viaB = "CONNECT ok=" + CONNECTS + " failed=0 local=[198.51.100.2]";
                        String viaA = "CONNECT ok=" + CONNECTS + " failed=0 local=[192.0.2.2]";
                        assertEquals(List.of(viaB, viaA, viaB, viaA, viaB), connects, result.describe());
                        assertTrue(result.stdout().stream().filter(l -> l.startsWith("RUN ")).allMatch(
                                l -> l.startsWith("RUN exit=0 ")), result.describe());
                        assertEquals(0, result.exitCode(), result.describe());
                    })));
        });
    }

    private static ChildResult run(TestJdk jdk) {
        Path config = TestFiles.write(work.resolve(jdk.name() + ".conf"), "ifpin.rules = [ { name = storage, cidrs ="
                + " [\"203.0.113.10/32\"], interface = b0 } ]\n");
        String connect = "connect 203.0.113.10 7000 " + CONNECTS;
        List<String> steps = new java.util.ArrayList<>(List.of(connect));
        steps.addAll(TAKE_AWAY);
        steps.addAll(List.of(connect, "row storage"));
        steps.addAll(PUT_BACK);
        steps.add(connect);
        steps.addAll(TAKE_AWAY);
        steps.addAll(List.of(connect, "row storage"));
        steps.addAll(PUT_BACK);
        steps.addAll(List.of(connect, "row storage"));
        try {
            return ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), config)
                    .classpath(ItEnv.testClasses())
                    .main(APP_CLASS, steps.toArray(new String[0]))
                    .runIn(lab);
        } finally {
            // b0 back for the next JDK even when the child died half-way (each step tolerates "already so").
            lab.runInClient(false, "ip", "link", "set", "b0gone", "name", "b0");
            lab.runInClient(false, "ip", "link", "set", "b0", "up");
            lab.runInClient(false, "ip", "route", "replace", "default", "via", "198.51.100.1", "dev", "b0", "metric",
                    "200");
        }
    }
}
