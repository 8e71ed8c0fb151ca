package io.ifpin.dns;

import io.ifpin.config.ConfigLoader;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which rule decides a name, and what the hook answers when it cannot ask the rule's servers. */
class NameResolutionTest {

    private static RuleSet rules(String rules) throws Exception {
        return ConfigLoader.parse("ifpin.rules = [\n" + rules + "\n]", "test.conf").rules();
    }

    @Test
    void noRuleThatDecidesNamesMeansNoHook() throws Exception {
        assertNull(NameResolution.forRules(rules("{ hosts = [\"*.corp.example\"], interface = b0 }\n"
                + "{ hosts = [\"x.example\"], ports = [25], action = deny }")),
                "pin rules without dns, and deny rules limited to some ports, leave lookups alone");
    }

    /** What premain asks of the rules before it loads this package: whether a rule decides names, whether one has dns. */
    @Test
    void theRulesSayWhetherAHookIsNeeded() throws Exception {
        RuleSet none = rules("{ hosts = [\"*.corp.example\"], interface = b0 }\n"
                + "{ hosts = [\"x.example\"], ports = [25], action = deny }\n"
                + "{ cidrs = [\"192.0.2.0/24\"], action = deny }\n"
                + "{ direction = inbound, ports = [8443], interface = b0 }");
        assertFalse(none.anyDecidesNames());
        assertFalse(none.anyHasDns());
        RuleSet deny = rules("{ hosts = [\"*.ads.example\"], action = deny }");
        assertTrue(deny.anyDecidesNames());
        assertFalse(deny.anyHasDns());
        RuleSet dns = rules("{ hosts = [\"*.corp.example\"], interface = b0, dns = [\"192.0.2.53\"] }");
        assertTrue(dns.anyDecidesNames());
        assertTrue(dns.anyHasDns());
    }

    @Test
    void aDenyRuleRefusesTheLookupAndOtherNamesTakeTheUsualPath() throws Exception {
        NameResolution names = NameResolution.forRules(rules("{ name = block, hosts = [\"*.ads.example\"],"
                + " action = deny }"));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> names.lookup("x.ADS.example"));
        assertEquals("x.ADS.example: refused by ifpin rule \"block\" (deny, test.conf:2); no DNS query was sent",
                e.getMessage());
        assertNull(names.lookup("www.example"));
        assertEquals(1, names.stats().count("block", LookupStats.Outcome.REFUSED));
        assertEquals("block: resolved=0,not_found=0,failed=0,fell_back=0,refused=1", names.stats().describe(),
                "the MBean's Lookups attribute");
    }

    @Test
    void theFirstDecidingRuleWins() throws Exception {
        NameResolution names = NameResolution.forRules(rules(
                "{ name = secret, hosts = [\"secret.corp.example\"], action = deny }\n"
                        + "{ name = corp, hosts = [\"*.corp.example\"], interface = b0, dns = [\"192.0.2.53\"] }"));
        assertEquals("secret", names.decidingRule("secret.corp.example").name());
        assertEquals("corp", names.decidingRule("db.corp.example").name());
        assertNull(names.decidingRule("corp.example.org"));
    }

    @Test
    void aReloadReplacesTheDecidingRules() throws Exception {
        NameResolution names = NameResolution.forRules(rules("{ name = block, hosts = [\"*.ads.example\"],"
                + " action = deny }"));
        names.apply(rules("{ name = corp, hosts = [\"*.corp.example\"], interface = b0, dns = [\"192.0.2.53\"] }"));
        assertNull(names.decidingRule("x.ads.example"));
        assertEquals("corp", names.decidingRule("db.corp.example").name());
    }

    @Test
    void withoutPinnedSocketsTheLookupFailsClosedOrFallsBackOnlyWhenTheRuleSaysSo() throws Exception {
        NameResolution closed = NameResolution.forRules(rules("{ name = corp, hosts = [\"*.corp.example\"],"
                + " interface = b0, dns = [\"192.0.2.53\"] }"));
        closed.unavailable("no native access");
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> closed.lookup("db.corp.example"));
        assertEquals("db.corp.example: ifpin rule \"corp\" (DNS servers [192.0.2.53] over interface b0) did not"
                + " answer (ifpin cannot pin its DNS sockets (no native access)); the system resolver is not asked",
                e.getMessage());
        assertEquals(1, closed.stats().count("corp", LookupStats.Outcome.FAILED));

        NameResolution open = NameResolution.forRules(rules("{ name = corp, hosts = [\"*.corp.example\"],"
                + " interface = b0, dns = [\"192.0.2.53\"], on-error = fail-open }"));
        open.unavailable("no native access");
        assertNull(open.lookup("db.corp.example"), "the system resolver answers");
        assertEquals(1, open.stats().count("corp", LookupStats.Outcome.FELL_BACK));
    }

    @Test
    void theRulesOwnFailOpenFallbackIsLoggedOnceCountedAndAudited(@org.junit.jupiter.api.io.TempDir
                                                                 java.nio.file.Path dir) throws Exception {
        DnsTransport dead = (server, query, tcp, timeoutMillis) -> {
            throw new java.net.SocketTimeoutException("timeout");
        };
        NameResolution open = new NameResolution(rules("{ name = corp, hosts = [\"*.corp.example\"], interface = b0,"
                + " dns = [\"192.0.2.53\"], on-error = fail-open }"), rule -> new DnsResolver(rule.dnsServers(), dead,
                new DnsResolver.AddressFamilies(true, false, false), 10, 1));
        java.nio.file.Path file = dir.resolve("audit.jsonl");
        io.ifpin.audit.AuditLog audit = io.ifpin.audit.AuditLog.start(new io.ifpin.config.AuditSettings(
                java.util.Optional.of(file), 1 << 20, 2, 100));
        open.ready(audit, null);
        io.ifpin.log.LogCapture log = io.ifpin.log.LogCapture.start();
        assertNull(open.lookup("db.corp.example"), "the system resolver answers");
        assertNull(open.lookup("www.corp.example"));
        audit.drainAndClose();
        assertEquals(2, open.stats().count("corp", LookupStats.Outcome.FELL_BACK));
        java.util.List<String> warnings = log.lines().stream().filter(l -> l.contains("on-error = fail-open lets the"
                + " system resolver answer instead")).toList();
        assertEquals(1, warnings.size(), "logged once: " + log.lines());
        assertEquals("[ifpin] WARN ifpin rule \"corp\" (DNS servers [192.0.2.53] over interface b0) did not answer for"
                + " db.corp.example (192.0.2.53: no answer within 10 ms); the rule's on-error = fail-open lets the"
                + " system resolver answer instead (over the default route). Counted per rule; reported once. Fix:"
                + " make the servers reachable over b0, or remove on-error = fail-open to keep the names off the system"
                + " resolver", warnings.get(0));
        java.util.List<String> records = java.nio.file.Files.readAllLines(file);
        assertEquals(2, records.size(), records.toString());
        assertTrue(records.get(0).contains("\"rule\":\"corp\",\"action\":\"lookup\",\"protocol\":\"dns\""),
                records.get(0));
        assertTrue(records.get(0).contains("\"host\":\"db.corp.example\",\"interface\":\"b0\","
                + "\"result\":\"fallback\",\"errno\":\"192.0.2.53: no answer within 10 ms\""), records.get(0));
    }
}
