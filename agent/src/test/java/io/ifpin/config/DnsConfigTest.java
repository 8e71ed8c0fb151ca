package io.ifpin.config;

import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code dns} rule key: servers with optional ports, only on outbound pin rules with hosts, fallback only by the rule's own on-error. */
class DnsConfigTest {

    private static final String FILE = "test.conf";

    private static Rule rule(String rule) throws Exception {
        return ConfigLoader.parse("ifpin.rules = [\n" + rule + "\n]", FILE).rules().rules().get(0);
    }

    private static String problem(String rule) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("ifpin.rules = [\n" + rule + "\n]", FILE));
        return e.getMessage();
    }

    @Test
    void serversWithAndWithoutPorts() throws Exception {
        Rule rule = rule("{ name = corp, hosts = [\"*.corp.example\"], interface = tun0,"
                + " dns = [\"192.0.2.53\", \"[2001:db8::53]:5353\", \"192.0.2.53:5353\", \"2001:db8::54\"] }");
        assertEquals("[192.0.2.53, [2001:db8::53]:5353, 192.0.2.53:5353, 2001:db8::54]",
                rule.dnsServers().toString());
        assertEquals(5353, rule.dnsServers().get(1).port());
        assertEquals(53, rule.dnsServers().get(3).port());
        assertTrue(rule.describe().contains("dns [192.0.2.53,"), rule.describe());
        assertFalse(rule.dnsFallback(), "fail-closed for names unless the rule says otherwise");
    }

    @Test
    void onlyTheRulesOwnFailOpenAllowsTheSystemResolver() throws Exception {
        String rule = "{ hosts = [\"*.corp.example\"], interface = tun0, dns = [\"192.0.2.53\"] %s }";
        assertTrue(rule(rule.formatted(", on-error = fail-open")).dnsFallback());
        assertFalse(rule(rule.formatted(", on-error = fail-closed")).dnsFallback());
        Rule inherited = ConfigLoader.parse("ifpin { on-error = fail-open, rules = [ " + rule.formatted("") + " ] }",
                FILE).rules().rules().get(0);
        assertFalse(inherited.dnsFallback(), "the global default never opens a DNS leak");
    }

    @Test
    void aNameIsNotAServer() {
        String message = problem("{ hosts = [\"*.corp.example\"], interface = tun0, dns = [\"ns1.corp.example\"] }");
        assertTrue(message.contains("test.conf:2: ifpin.rules[0].dns[0] = \"ns1.corp.example\": not an IP address"),
                message);
        assertTrue(message.contains("Fix: write an IP address, optionally with a port"), message);
    }

    @Test
    void badPortsAndBrackets() {
        assertTrue(problem("{ hosts = [\"a.example\"], interface = tun0, dns = [\"192.0.2.53:0\"] }")
                .contains("the port must be 1-65535"));
        assertTrue(problem("{ hosts = [\"a.example\"], interface = tun0, dns = [\"[2001:db8::53\"] }")
                .contains("'[' without ']'"));
        assertTrue(problem("{ hosts = [\"a.example\"], interface = tun0, dns = [\"192.0.2.53:x\"] }")
                .contains("the port is not a number"));
    }

    @Test
    void dnsNeedsHostsAnInterfaceAndNoCallers() {
        String noHosts = problem("{ name = r, cidrs = [\"192.0.2.0/24\"], interface = tun0, dns = [\"192.0.2.53\"] }");
        assertTrue(noHosts.contains("ifpin.rules[0].dns = [\"192.0.2.53\"]: rule \"r\" has no hosts"), noHosts);
        assertTrue(noHosts.contains("Fix: add hosts"), noHosts);
        String deny = problem("{ name = r, hosts = [\"a.example\"], action = deny, dns = [\"192.0.2.53\"] }");
        assertTrue(deny.contains("rule \"r\" has action deny; dns goes with an interface"), deny);
        String callers = problem("{ name = r, hosts = [\"a.example\"], interface = tun0, callers = [\"com.x.*\"],"
                + " dns = [\"192.0.2.53\"] }");
        assertTrue(callers.contains("rule \"r\" has callers"), callers);
        String empty = problem("{ name = r, hosts = [\"a.example\"], interface = tun0, dns = [] }");
        assertTrue(empty.contains("the list is empty, so no server would answer"), empty);
    }
}
