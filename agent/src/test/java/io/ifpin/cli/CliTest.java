package io.ifpin.cli;

import io.ifpin.config.ConfigLoader;
import io.ifpin.log.Json;
import io.ifpin.os.NetlinkErrorException;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's commands, exit statuses and outputs (literal addresses only: no DNS in unit tests). */
class CliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path config(String text) throws Exception {
        Path file = dir.resolve("ifpin.conf");
        Files.writeString(file, text);
        return file;
    }

    private Path twoRules() throws Exception {
        return config("ifpin.rules = [\n"
                + "  { name = storage, cidrs = [\"192.0.2.0/24\"], ports = [7000], protocols = [tcp], interface = stor0 }\n"
                + "  { name = corp, hosts = [\"*.corp.example\"], cidrs = [\"2001:db8:f::/48\"], interface = tun0 }\n"
                + "]\n");
    }

    @Test
    void explainNamesTheMatchingRuleTheConditionAndTheInterface() throws Exception {
        assertEquals(0, run("explain", twoRules().toString(), "192.0.2.7", "7000"));
        assertTrue(out().contains("rule 'storage' (" + dir.resolve("ifpin.conf") + ":2): MATCH: 192.0.2.7 is in"
                + " 192.0.2.0/24; port 7000 allowed; tcp allowed"), out());
        assertTrue(out().contains("=> pinned to stor0 by rule 'storage'"), out());
    }

    @Test
    void explainOfANameThatARuleResolvesNamesItsServersAndSendsNoQueryWhenItCannotPin() throws Exception {
        Path conf = config("ifpin.rules = [\n"
                + "  { name = ads, hosts = [\"*.ads.example\"], action = deny }\n"
                + "  { name = corp, hosts = [\"*.corp.example\"], interface = tun0, dns = [\"192.0.2.53:5353\"] }\n"
                + "]\n");
        assertEquals(0, run("explain", conf.toString(), "db.corp.example", "443"));
        assertTrue(out().contains("name lookup: rule 'corp' (" + conf + ":3) decides it: DNS servers [192.0.2.53:5353]"
                + " over interface tun0 (never the system resolver)"), out());
        assertTrue(out().contains("answer now (asked by explain itself, over its own socket pinned to tun0; the"
                + " application asks the same way): not asked: cannot "), "no socket pinned here: nothing sent"
                + out());
        assertTrue(out().contains("to ask by hand through the interface: dig @192.0.2.53 -p 5353 -b <an address of"
                + " tun0> db.corp.example"), out());
        out.reset();
        assertEquals(0, run("explain", conf.toString(), "x.ads.example"));
        assertTrue(out().contains("name lookup: rule 'ads' (" + conf + ":2) decides it: none: the lookup is refused"
                + " (deny), no query is sent"), out());
    }

    @Test
    void explainShowsWhyEarlierRulesDidNotMatch() throws Exception {
        assertEquals(0, run("explain", twoRules().toString(), "2001:db8:f::10", "443", "udp"));
        assertTrue(out().contains("rule 'storage'"), out());
        assertTrue(out().contains("no: neither hosts (none) nor cidrs [192.0.2.0/24] (address 2001:db8:f::10) match;"
                + " port 443 not in [7000]; udp not in [tcp]"), out());
        assertTrue(out().contains("MATCH: 2001:db8:f::10 is in 2001:db8:f::/48"), out());
        assertTrue(out().contains("=> pinned to tun0 by rule 'corp'"), out());
    }

    @Test
    void explainOfAnUnmatchedDestinationSaysTheSocketIsLeftAlone() throws Exception {
        assertEquals(0, run("explain", twoRules().toString(), "198.51.100.1"));
        assertTrue(out().contains("(a literal: only cidrs can match)"), out());
        assertTrue(out().contains("=> no rule matches: the socket is left as it is"), out());
    }

    @Test
    void explainShowsDenyAllowDefaultAndCallers() throws Exception {
        Path conf = dir.resolve("policy.conf");
        Files.writeString(conf, String.join("\n",
                "ifpin {",
                "  default-action = deny",
                "  rules = [",
                "    { name = no-meta, cidrs = [\"203.0.113.7\"], action = deny }",
                "    { name = carve-out, cidrs = [\"198.51.100.0/24\"], action = allow }",
                "    { name = vendor, cidrs = [\"192.0.2.0/24\"], interface = stor0, callers = [\"com.vendor.*\"] }",
                "  ]",
                "}", ""));
        assertEquals(0, run("explain", conf.toString(), "203.0.113.7", "80"));
        assertTrue(out().contains("=> refused by rule 'no-meta' (action = deny)"), out());
        assertEquals(0, run("explain", conf.toString(), "198.51.100.9"));
        assertTrue(out().contains("=> left as it is (default route) by rule 'carve-out' (action = allow)"), out());
        assertEquals(0, run("explain", conf.toString(), "192.0.2.9"));
        assertTrue(out().contains("but only for sockets opened by [com.vendor.*] (give --caller <class> to test one)"),
                out());
        assertTrue(out().contains("=> refused by no rule matches, so default-action (" + conf + ":2)"), out());
        assertEquals(0, run("explain", conf.toString(), "192.0.2.9", "--caller", "com.vendor.db.Pool"));
        assertTrue(out().contains("=> pinned to stor0 by rule 'vendor'"), out());
        assertEquals(Cli.USAGE, run("explain", conf.toString(), "192.0.2.9", "--caller"));
    }

    @Test
    void explainJsonCarriesTheVerdict() throws Exception {
        assertEquals(0, run("explain", twoRules().toString(), "192.0.2.7", "7000", "--json"));
        String json = out().trim();
        assertTrue(json.startsWith("{\"config\":"), json);
        assertTrue(json.contains("\"rule\":\"storage\",\"action\":\"pin\",\"interface\":\"stor0\""), json);
        assertTrue(json.contains("\"port\":7000,\"protocol\":\"tcp\""), json);
        assertTrue(json.endsWith("}"), json);
    }

    @Test
    void checkAcceptsAValidConfig() throws Exception {
        assertEquals(0, run("check", twoRules().toString()));
        assertTrue(out().contains("is valid: 2 rule(s)"), out());
    }

    @Test
    void checkAndExplainSayObserveModePlainly() throws Exception {
        Path conf = config("ifpin { mode = observe, rules = [{ cidrs = [\"192.0.2.0/24\"], action = deny }] }\n");
        assertEquals(0, run("check", conf.toString()));
        assertTrue(out().contains("is valid: 1 rule(s); observe mode: the agent decides, logs and audits every socket"
                + " and pins or refuses none (ifpin.mode = observe)"), out());
        out.reset();
        assertEquals(0, run("check", conf.toString(), "--json"));
        assertTrue(out().contains("\"valid\":true,\"mode\":\"observe\""), out());
        out.reset();
        assertEquals(0, run("explain", conf.toString(), "192.0.2.7"));
        assertTrue(out().contains("=> observe mode, the socket is not touched; enforced it would be: refused by rule"
                + " 'rule-1' (action = deny)"), out());
        out.reset();
        assertEquals(0, run("check", twoRules().toString()));
        assertFalse(out().contains("observe"), out());
    }

    @Test
    void learnWritesAnAllowListThatCheckAccepts() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        Files.writeString(audit, "{\"time\":\"2026-12-01T10:00:00Z\",\"rule\":\"(default)\",\"action\":\"allow\","
                + "\"protocol\":\"tcp\",\"local\":\"0.0.0.0:0\",\"remote\":\"192.0.2.10:443\",\"host\":\"api.example\","
                + "\"interface\":null,\"result\":\"would-allow\",\"errno\":null}\n{broken\n");
        Path learned = dir.resolve("learned.conf");
        assertEquals(0, run("learn", audit.toString(), "--out", learned.toString()));
        String summary = err.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("ifpin learn: 1 decision(s) read from 2 line(s) in 1 file(s); 1 destination(s);"
                + " 1 rule(s) written (1 allow, 0 kept from --config, 0 pin); 1 malformed line(s) skipped"), summary);
        assertTrue(summary.contains("written to " + learned + ". Next: java -jar ifpin-agent.jar check " + learned),
                summary);
        assertEquals("", out(), "the config went to --out");
        assertEquals(0, run("check", learned.toString()));
        assertTrue(out().contains("is valid: 1 rule(s)"), out());

        out.reset();
        assertEquals(0, run("learn", audit.toString(), "--json"));
        assertTrue(out().startsWith("{\"files\":1,\"lines\":2,\"decisions\":1,\"destinations\":1,\"rules\":1,"), out());
        assertTrue(out().contains("\"config\":\"# ifpin allow-list learned"), out());

        err.reset();
        assertEquals(Cli.PROBLEM, run("learn", dir.resolve("missing.jsonl").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.jsonl: no such file. Fix:"));
        assertEquals(Cli.USAGE, run("learn"));
        assertEquals(Cli.USAGE, run("learn", audit.toString(), "--out"));
    }

    @Test
    void checkRejectsAnInvalidConfigWithFileLineAndFix() throws Exception {
        Path bad = config("ifpin.rules = [\n  { cidrs = [\"192.0.2.1/24\"], interface = b0 }\n]\n");
        assertEquals(1, run("check", bad.toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains(bad + ":2: ifpin.rules[0].cidrs[0]"), message);
        assertTrue(message.contains("Fix:"), message);
    }

    @Test
    void checkJsonOfAnInvalidConfigListsTheProblems() throws Exception {
        Path bad = config("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"] } ]\n");
        assertEquals(1, run("check", bad.toString(), "--json"));
        assertTrue(out().contains("\"valid\":false"), out());
        assertTrue(out().contains("interface: required key is missing"), out());
    }

    @Test
    void usageErrorsExitWith64() throws Exception {
        assertEquals(64, run("nonsense"));
        assertEquals(64, run("check"));
        assertEquals(64, run("explain", twoRules().toString(), "192.0.2.7", "http"));
        assertEquals(64, run("explain", twoRules().toString(), "192.0.2.7", "70000"));
    }

    @Test
    void jsonEscapesControlCharactersAndQuotes() {
        java.util.Map<String, Object> document = new java.util.LinkedHashMap<>();
        document.put("a", "q\"\n\u0001");
        document.put("b", java.util.Arrays.asList(1, true, null));
        assertEquals("{\"a\":\"q\\\"\\n\\u0001\",\"b\":[1,true,null]}", Json.write(document));
    }

    /** Issue 19, 7: HOCON skips a missing plain include silently; check names it, and --strict fails on it. */
    @Test
    void checkWarnsAboutAMissingIncludeAndStrictFailsOnIt() throws Exception {
        Path file = config("ifpin.default-action = deny\ninclude \"rules.d/storage.conf\"\n");
        assertEquals(0, run("check", file.toString()));
        assertTrue(out().contains("  WARNING: " + file + ":2: include \"rules.d/storage.conf\": file not found"), out());
        assertTrue(out().contains("1 warning(s)"), out());
        out.reset();
        assertEquals(1, run("check", file.toString(), "--strict"));
        out.reset();
        assertEquals(0, run("check", file.toString(), "--json"));
        assertTrue(out().contains("\"configWarnings\":[\"" + file + ":2: include"), out());
    }

    /** Issue 19, 6: a FIFO as the config does not hang check (the file type is checked before it is opened). */
    @Test
    void checkRefusesAFifoWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.conf");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals(1, run("check", fifo.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(fifo + ": is a FIFO (named pipe), not a regular"
                + " file"), err.toString(StandardCharsets.UTF_8));
    }

    /** check against a routing table the test writes: {@code stor0} (index 3, up) with the given routes. */
    private int check(String hocon, boolean strict, FakeRoutes routes) throws Exception {
        return CheckCommand.run(ConfigLoader.parse(hocon, "test.conf"), List.of(), false, strict,
                new PrintStream(out, true, StandardCharsets.UTF_8), routes, null);
    }

    @Test
    void checkSaysTheSocketsOfAFailClosedRuleWithAMissingInterfaceAreRefused() throws Exception {
        int status = check("ifpin.rules = [\n"
                + "  { name = strict, cidrs = [\"192.0.2.0/24\"], interface = nosuch0, on-error = fail-closed }\n"
                + "  { name = lenient, cidrs = [\"198.51.100.0/24\"], interface = nosuch1 }\n"
                + "]\n", false, new FakeRoutes());
        assertEquals(0, status, out());
        assertTrue(out().contains("WARNING: interface 'nosuch0' does not exist in this network namespace now; until"
                + " it appears, the rule's sockets fail with ENODEV and are refused (fail-closed)."), out());
        assertTrue(out().contains("WARNING: interface 'nosuch1' does not exist in this network namespace now; until"
                + " it appears, the rule's sockets fail with ENODEV and proceed unpinned."), out());
    }

    /** A network directly attached to the interface (a connected route) needs no default route. */
    @Test
    void checkStrictAcceptsAnOnLinkNetworkWithoutADefaultRoute() throws Exception {
        FakeRoutes routes = new FakeRoutes().route(4, "192.0.2.0", 24, null).route(6, "2001:db8:5::", 64, null)
                .reaches("192.0.2.0", "2001:db8:5::");
        int status = check("ifpin.rules = [ { name = storage, cidrs = [\"192.0.2.0/24\", \"2001:db8:5::/64\"],"
                + " interface = stor0 } ]\n", true, routes);
        assertEquals(0, status, out());
        assertTrue(out().contains("no warnings"), out());
    }

    @Test
    void checkStrictWarnsForEachNetworkTheInterfaceHasNoRouteTo() throws Exception {
        FakeRoutes routes = new FakeRoutes().route(4, "192.0.2.0", 24, null).reaches("192.0.2.0");
        int status = check("ifpin.rules = [ { name = storage, cidrs = [\"192.0.2.0/24\", \"203.0.113.0/24\","
                + " \"2001:db8:5::/64\"], interface = stor0 } ]\n", true, routes);
        assertEquals(1, status, out());
        assertTrue(out().contains("WARNING: interface 'stor0' has no route to 203.0.113.0/24 (cidrs of rule"
                + " 'storage'): pinned sockets to it hang on ARP, then fail with EHOSTUNREACH. Confirm: ip route get"
                + " 203.0.113.0 oif stor0. Fix: ip route add 203.0.113.0/24 via <gateway> dev stor0"), out());
        assertTrue(out().contains("WARNING: interface 'stor0' has no route to 2001:db8:5::/64 (cidrs of rule"
                + " 'storage'): pinned sockets to it fail with ENETUNREACH. Confirm: ip -6 route get 2001:db8:5:: oif"
                + " stor0. Fix: ip -6 route add 2001:db8:5::/64 via <gateway> dev stor0"), out());
        assertFalse(out().contains("192.0.2.0/24 (cidrs"), out());
        assertFalse(out().contains("default route:"), out());
        assertTrue(out().contains("2 warning(s)"), out());
    }

    /** The rule's DNS queries leave through its interface: a server it has no route to is a warning. */
    @Test
    void checkStrictWarnsForADnsServerTheInterfaceHasNoRouteTo() throws Exception {
        FakeRoutes routes = new FakeRoutes().route(4, "0.0.0.0", 0, "192.0.2.1").route(6, "::", 0, "2001:db8::1")
                .reaches("192.0.2.53");
        int reachable = check("ifpin.rules = [ { name = corp, hosts = [\"*.corp.example\"], interface = stor0,"
                + " dns = [\"192.0.2.53\"] } ]\n", true, routes);
        assertEquals(0, reachable, out());
        out.reset();
        int unreachable = check("ifpin.rules = [ { name = corp, hosts = [\"*.corp.example\"], interface = stor0,"
                + " dns = [\"192.0.2.53\", \"203.0.113.53:5353\"] } ]\n", true, routes);
        assertEquals(1, unreachable, out());
        assertTrue(out().contains("WARNING: DNS server 203.0.113.53:5353: "), out());
        assertFalse(out().contains("DNS server 192.0.2.53:"), out());
    }

    /** A rule by host name may reach any address: without a default route it is still a warning. */
    @Test
    void checkStrictWarnsForAHostsRuleWithoutADefaultRoute() throws Exception {
        FakeRoutes routes = new FakeRoutes().route(4, "192.0.2.0", 24, null).reaches("192.0.2.0");
        int status = check("ifpin.rules = [ { name = corp, hosts = [\"*.corp.example\"], interface = stor0 } ]\n",
                true, routes);
        assertEquals(1, status, out());
        assertTrue(out().contains("WARNING: interface 'stor0' has no default route"), out());
    }

    /** stor0 (index 3, up); route get answers a real route for the destinations given to {@link #reaches}. */
    private static final class FakeRoutes implements Routes {
        private final List<Route> table = new ArrayList<>();
        private final Set<InetAddress> reached = new HashSet<>();

        FakeRoutes route(int family, String destination, int prefix, String gateway) throws Exception {
            table.add(new Route(family, 254, 1, destination, prefix,
                    gateway == null ? null : InetAddress.getByName(gateway), 3, 0));
            return this;
        }

        FakeRoutes reaches(String... destinations) throws Exception {
            for (String destination : destinations) {
                reached.add(InetAddress.getByName(destination));
            }
            return this;
        }

        @Override
        public int interfaceIndex(String name) {
            return name.equals("stor0") ? 3 : 0;
        }

        @Override
        public RouteAnswer routeGet(InetAddress destination, int ifIndex) throws NetlinkErrorException {
            if (reached.contains(destination)) {
                return new RouteAnswer(254, 1, null, null, ifIndex);
            }
            if (destination instanceof Inet4Address) {
                return new RouteAnswer(0, 1, null, null, ifIndex); // the kernel's "assume on link"
            }
            throw new NetlinkErrorException("RTM_GETROUTE", NetlinkRoutes.ENETUNREACH);
        }

        @Override
        public List<Route> routes(int family) {
            return table.stream().filter(route -> route.family() == family).toList();
        }

        @Override
        public Link link(int ifIndex) {
            return ifIndex == 3 ? new Link(3, "stor0", 0x1 | 0x10000) : null;
        }

        @Override
        public List<String> addresses(int ifIndex) {
            return List.of();
        }
    }
}
