package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar ifpin-agent.jar check | explain} run inside the lab's client namespace, where the answers depend
 * on the real interfaces and routes: first the normal lab, then the routing trap (b0's default routes deleted) and
 * strict rp_filter. Runs on the JDK that runs Maven; the CLI does not instrument anything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("cli");
    @TempDir
    static Path work;
    private static Path config;
    private static Path hosts;

    @BeforeAll
    static void writeConfig() {
        hosts = TestFiles.writeHosts(work);
        config = AgentConfig.create()
                .cidrRule("svc", "b0", "203.0.113.10/32", "2001:db8:f::10/128")
                .hostRule("corp", "b0", "*.corp.example")
                .writeTo(work.resolve("ifpin.conf"));
    }

    private static ChildResult cli(String... args) {
        return ChildJvm.on(TestJdk.JDK_17).hostsFile(hosts).classpath(ItEnv.agentJar())
                .main("io.ifpin.agent.IfpinAgent", args).runIn(lab);
    }

    private static String out(ChildResult result) {
        return String.join("\n", result.stdout());
    }

    @Test
    @Order(1)
    void checkReportsEachRulesInterfaceAndExitsZero() {
        ChildResult result = cli("check", config.toString());
        String out = out(result);
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(out.contains("is valid: 2 rule(s)"), out);
        assertTrue(out.contains("rule 'svc' -> interface 'b0': up, addresses [198.51.100.2/24, 2001:db8:b::2/64"), out);
        assertTrue(out.contains("default route IPv4 yes (via 198.51.100.1), IPv6 yes (via 2001:db8:b::1)"), out);
        assertTrue(out.contains("no warnings"), out);
    }

    @Test
    @Order(2)
    void explainByNameShowsTheConditionTheInterfaceAndAGoodRoute() {
        ChildResult result = cli("explain", config.toString(), "api.corp.example", "443", "tcp");
        String out = out(result);
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(out.contains("address 203.0.113.10 (name api.corp.example)"), out);
        assertTrue(out.contains("rule 'svc'"), out); // the first rule is evaluated, and it matches by CIDR
        assertTrue(out.contains("MATCH: 203.0.113.10 is in 203.0.113.10/32"), out);
        assertTrue(out.contains("=> pinned to b0 by rule 'svc'"), out);
        assertTrue(out.contains("route check: ok: b0 has a route to this destination"), out);
    }

    @Test
    @Order(3)
    void explainOfAnUnmatchedNameSaysTheSocketIsLeftAlone() {
        ChildResult result = cli("explain", config.toString(), "other.example", "7000", "udp", "--json");
        String out = out(result);
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(out.startsWith("{\"config\":"), out);
        assertTrue(out.contains("\"host\":\"other.example\",\"rule\":\"(default)\",\"action\":\"allow\","
                + "\"interface\":null,\"verdict\":\"no rule matches: the socket is left as it is (default route)\""), out);
    }

    @Test
    @Order(4)
    void inTheRoutingTrapExplainWarnsAndCheckStrictFails() {
        lab.runInClient(true, "ip", "-4", "route", "del", "default", "via", "198.51.100.1", "dev", "b0");
        lab.runInClient(true, "ip", "-6", "route", "del", "default", "via", "2001:db8:b::1", "dev", "b0");

        String v4 = out(cli("explain", config.toString(), "203.0.113.10", "7000"));
        assertTrue(v4.contains("route check: rule 'svc'"), v4);
        assertTrue(v4.contains("no route to 203.0.113.10 via interface 'b0'"), v4);
        assertTrue(v4.contains("EHOSTUNREACH"), v4);
        assertTrue(v4.contains("ip route add 203.0.113.10/32 via <gateway-on-b0> dev b0"), v4);

        String v6 = out(cli("explain", config.toString(), "2001:db8:f::10", "7000"));
        assertTrue(v6.contains("no route to 2001:db8:f::10 via interface 'b0'"), v6);
        assertTrue(v6.contains("ENETUNREACH"), v6);

        ChildResult strict = cli("check", config.toString(), "--strict");
        assertEquals(1, strict.exitCode(), strict.describe());
        assertTrue(out(strict).contains("WARNING: interface 'b0' has no default route"), out(strict));
        assertTrue(out(strict).contains("WARNING: interface 'b0' has no route to 203.0.113.10/32 (cidrs of rule"
                + " 'svc'): pinned sockets to it hang on ARP, then fail with EHOSTUNREACH."), out(strict));
        assertTrue(out(strict).contains("WARNING: interface 'b0' has no route to 2001:db8:f::10/128 (cidrs of rule"
                + " 'svc'): pinned sockets to it fail with ENETUNREACH."), out(strict));

        // b0's own subnets are directly attached: a rule for them needs no default route.
        Path onLink = AgentConfig.create().cidrRule("storage", "b0", "198.51.100.0/24", "2001:db8:b::/64")
                .writeTo(work.resolve("on-link.conf"));
        ChildResult onLinkStrict = cli("check", onLink.toString(), "--strict");
        assertEquals(0, onLinkStrict.exitCode(), onLinkStrict.describe());
        assertTrue(out(onLinkStrict).contains("no warnings"), out(onLinkStrict));
    }

    @Test
    @Order(5)
    void strictRpFilterIsReportedByCheckAndExplain() {
        lab.runInClient(true, "sysctl", "-qw", "net.ipv4.conf.b0.rp_filter=1");
        lab.runInClient(true, "ip", "-4", "route", "replace", "default", "via", "198.51.100.1", "dev", "b0", "metric", "200");
        try {
            ChildResult check = cli("check", config.toString(), "--json");
            String out = out(check);
            assertEquals(0, check.exitCode(), check.describe());
            assertTrue(out.contains("\"rpFilter\":1"), out);
            assertTrue(out.contains("sysctl -w net.ipv4.conf.b0.rp_filter=2"), out);

            String explain = out(cli("explain", config.toString(), "203.0.113.10", "7000"));
            assertTrue(explain.contains("strict reverse-path filtering"), explain);
        } finally {
            lab.runInClient(true, "sysctl", "-qw", "net.ipv4.conf.b0.rp_filter=0");
        }
    }
}
