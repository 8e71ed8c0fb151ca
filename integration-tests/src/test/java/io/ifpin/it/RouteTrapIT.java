package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.LegacyAppThenIfpinReady;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The routing trap and strict reverse-path filtering, provoked in the lab and detected by the agent's route check.
 *
 * <p>A socket pinned to b0 only uses routes through b0. With b0's default routes deleted there is none to the
 * service: IPv4 answers {@code ip route get 203.0.113.10 oif b0} with a made-up on-link route (table 0), IPv6 with
 * ENETUNREACH. The agent must warn, naming rule, destination, interface, errno and a fix. The fix names a gateway
 * only when a real route via b0 shows one: with no route via b0 but its connected subnet, it is the placeholder
 * form; with another route via 198.51.100.1 on b0, it is {@code ip route add default via 198.51.100.1 dev b0
 * metric 200}. (In this lab the IPv4 connect does not hang: the server answers ARP for its own service address
 * on any link, so the app sees "Connection refused". The warning is what is tested, not the app's outcome.)
 *
 * <p>Every scenario sets the lab state it needs before its child JVM runs; the dynamic tests run in order.
 */
class RouteTrapIT {

    private static final String RULE = "corp-api";

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("rte");
    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> routeChecks() {
        return Stream.of(TestJdk.values()).map(jdk -> dynamicContainer(jdk.label(), Stream.of(
                ipv4Trap(jdk),
                ipv6Trap(jdk),
                ipv4TrapWithAGatewayOnB0(jdk),
                normalLab(jdk),
                strictRpFilter(jdk))));
    }

    // ---- lab states -------------------------------------------------------------------------------

    /** b0 has only its connected subnets: the trap. */
    private static void withoutB0Routes() {
        lab.runInClient(false, "ip", "-4", "route", "del", "default", "via", "198.51.100.1", "dev", "b0");
        lab.runInClient(false, "ip", "-6", "route", "del", "default", "via", "2001:db8:b::1", "dev", "b0");
        lab.runInClient(false, "ip", "-4", "route", "del", "192.0.2.128/25", "via", "198.51.100.1", "dev", "b0");
        lab.runInClient(true, "sysctl", "-qw", "net.ipv4.conf.b0.rp_filter=0");
    }

    /** As netns-lab.sh builds it: a second default route via b0 per family. */
    private static void normalRoutes() {
        withoutB0Routes();
        lab.runInClient(true, "ip", "-4", "route", "replace", "default", "via", "198.51.100.1", "dev", "b0", "metric", "200");
        lab.runInClient(true, "ip", "-6", "route", "replace", "default", "via", "2001:db8:b::1", "dev", "b0", "metric", "200");
    }

    private ChildResult run(TestJdk jdk, String name, String destination, String... cidrs) {
        Path config = AgentConfig.create().cidrRule(RULE, "b0", cidrs)
                .writeTo(work.resolve(jdk.name() + "-" + name + ".conf"));
        return ChildJvm.on(jdk)
                .agent(ItEnv.agentJar(), config)
                .classpath(ItEnv.demoJar(), ItEnv.testClasses())
                // LegacyApp, then until ifpin is ready: the early-pinned connect does not wait for ifpin, so the
                // app alone may exit before the route check's WARN and the startup lines
                .main(LegacyAppThenIfpinReady.class.getName(), "--cases", "socket", destination)
                .runIn(lab);
    }

    // ---- scenarios --------------------------------------------------------------------------------

    private DynamicNode ipv4Trap(TestJdk jdk) {
        String context = "[" + jdk.label() + " IPv4 trap] ";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            withoutB0Routes();
            return run(jdk, "v4-trap", "203.0.113.10", "203.0.113.10/32");
        });
        return dynamicContainer("IPv4: b0 without default route, rule pins 203.0.113.10 to b0", Stream.of(
                dynamicTest(context + "one WARN names rule, destination, b0, EHOSTUNREACH and the placeholder fix", () -> {
                    ChildResult result = run.get();
                    List<String> warnings = routeWarnings(result);
                    assertEquals(1, warnings.size(), "route warnings: " + warnings + result.describe());
                    String warning = warnings.get(0);
                    for (String token : List.of("rule '" + RULE + "' (", ".conf:", "203.0.113.10", "'b0'",
                            "connects will hang, then fail with EHOSTUNREACH", "ip route get 203.0.113.10 oif b0",
                            "ip route add 203.0.113.10/32 via <gateway-on-b0> dev b0")) {
                        assertTrue(warning.contains(token), "missing '" + token + "' in: " + warning + result.describe());
                    }
                }),
                dynamicTest(context + "the startup report says b0 has no IPv4 default route", () -> {
                    ChildResult result = run.get();
                    assertTrue(result.stderr().stream().anyMatch(line -> line.startsWith("[ifpin] INFO rule '" + RULE
                            + "' -> interface 'b0': up,") && line.contains("default route IPv4 no")), result.describe());
                })));
    }

    private DynamicNode ipv6Trap(TestJdk jdk) {
        String context = "[" + jdk.label() + " IPv6 trap] ";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            withoutB0Routes();
            return run(jdk, "v6-trap", "2001:db8:f::10", "2001:db8:f::10/128");
        });
        return dynamicContainer("IPv6: b0 without default route, rule pins 2001:db8:f::10 to b0", Stream.of(
                dynamicTest(context + "one WARN names rule, destination, b0, ENETUNREACH and the placeholder fix", () -> {
                    ChildResult result = run.get();
                    List<String> warnings = routeWarnings(result);
                    assertEquals(1, warnings.size(), "route warnings: " + warnings + result.describe());
                    String warning = warnings.get(0);
                    for (String token : List.of("rule '" + RULE + "' (", "2001:db8:f::10", "'b0'",
                            "connects fail at once with ENETUNREACH", "ip -6 route get 2001:db8:f::10 oif b0",
                            "ip -6 route add 2001:db8:f::10/128 via <gateway-on-b0> dev b0")) {
                        assertTrue(warning.contains(token), "missing '" + token + "' in: " + warning + result.describe());
                    }
                }),
                dynamicTest(context + "the application saw ENETUNREACH (Network is unreachable)", () -> {
                    ChildResult result = run.get();
                    assertTrue(result.stdout().stream().anyMatch(line -> line.contains("Network is unreachable")),
                            result.describe());
                })));
    }

    private DynamicNode ipv4TrapWithAGatewayOnB0(TestJdk jdk) {
        String context = "[" + jdk.label() + " IPv4 trap, gateway known] ";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            withoutB0Routes();
            // A route via b0 that does not cover the service: the trap stays, but now a gateway on b0 is known.
            lab.runInClient(true, "ip", "-4", "route", "add", "192.0.2.128/25", "via", "198.51.100.1", "dev", "b0");
            return run(jdk, "v4-trap-gw", "203.0.113.10", "203.0.113.10/32");
        });
        return dynamicContainer("IPv4: b0 with a route via 198.51.100.1 to another network only", Stream.of(
                dynamicTest(context + "the fix names the gateway found on b0 (never a0's 192.0.2.1)", () -> {
                    ChildResult result = run.get();
                    List<String> warnings = routeWarnings(result);
                    assertEquals(1, warnings.size(), "route warnings: " + warnings + result.describe());
                    assertTrue(warnings.get(0).contains("EHOSTUNREACH")
                                    && warnings.get(0).contains("ip route add default via 198.51.100.1 dev b0 metric 200")
                                    && !warnings.get(0).contains("192.0.2.1 "),
                            warnings.get(0) + result.describe());
                })));
    }

    private DynamicNode normalLab(TestJdk jdk) {
        String context = "[" + jdk.label() + " normal lab] ";
        Lazy<List<ChildResult>> runs = new Lazy<>(() -> {
            normalRoutes();
            return List.of(run(jdk, "normal-v4", "203.0.113.10", "203.0.113.10/32"),
                    run(jdk, "normal-v6", "2001:db8:f::10", "2001:db8:f::10/128"));
        });
        return dynamicContainer("b0 with default routes (the lab as built)", Stream.of(
                dynamicTest(context + "no WARN at all, IPv4 and IPv6", () -> {
                    for (ChildResult result : runs.get()) {
                        List<String> warnings = result.stderr().stream().filter(l -> l.startsWith("[ifpin] WARN"))
                                .collect(Collectors.toList());
                        assertTrue(warnings.isEmpty(), "unexpected warnings: " + warnings + result.describe());
                    }
                }),
                dynamicTest(context + "the startup report shows both default routes via b0 and rp_filter off", () -> {
                    ChildResult result = runs.get().get(0);
                    assertTrue(result.stderr().stream().anyMatch(line -> line.contains("-> interface 'b0': up,")
                            && line.contains("default route IPv4 yes (via 198.51.100.1), IPv6 yes (via 2001:db8:b::1)")
                            && line.contains("rp_filter 0 (off)")), result.describe());
                })));
    }

    private DynamicNode strictRpFilter(TestJdk jdk) {
        String context = "[" + jdk.label() + " rp_filter=1] ";
        Lazy<ChildResult> run = new Lazy<>(() -> {
            withoutB0Routes();
            lab.runInClient(true, "sysctl", "-qw", "net.ipv4.conf.b0.rp_filter=1");
            try {
                // Inside b0's own subnet: a real on-link route (table main), so no route warning. The reply comes
                // back on b0, the route back is via b0, so the connect is quick whatever rp_filter says.
                return run(jdk, "rp-filter", "198.51.100.1", "198.51.100.0/24");
            } finally {
                lab.runInClient(true, "sysctl", "-qw", "net.ipv4.conf.b0.rp_filter=0");
            }
        });
        return dynamicContainer("net.ipv4.conf.b0.rp_filter=1, destination inside b0's subnet", Stream.of(
                dynamicTest(context + "one WARN names strict rp_filter on b0 and the loose fix", () -> {
                    ChildResult result = run.get();
                    List<String> warnings = result.stderr().stream()
                            .filter(l -> l.startsWith("[ifpin] WARN") && l.contains("rp_filter")).collect(Collectors.toList());
                    assertEquals(1, warnings.size(), "rp_filter warnings: " + warnings + result.describe());
                    assertTrue(warnings.get(0).contains("rule '" + RULE + "'") && warnings.get(0).contains("'b0'")
                            && warnings.get(0).contains("sysctl -w net.ipv4.conf.b0.rp_filter=2"), warnings.get(0));
                }),
                dynamicTest(context + "no route warning for a destination in b0's connected subnet", () -> {
                    ChildResult result = run.get();
                    assertTrue(routeWarnings(result).isEmpty(), result.describe());
                })));
    }

    /** The agent's route-check warnings (not rp_filter, not ENODEV). */
    private static List<String> routeWarnings(ChildResult result) {
        return result.stderr().stream()
                .filter(line -> line.startsWith("[ifpin] WARN") && line.contains("via interface '"))
                .collect(Collectors.toList());
    }
}
