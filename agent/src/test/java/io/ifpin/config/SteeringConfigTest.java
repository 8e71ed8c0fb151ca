package io.ifpin.config;

import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 16: the rule keys {@code source} and {@code mark}, read and refused with file, line, key and fix. */
class SteeringConfigTest {

    private static final String FILE = "steer.conf";

    private static Rule only(String body) throws Exception {
        return ConfigLoader.parse("ifpin {\n  rules = [\n    { " + body + " }\n  ]\n}\n", FILE).rules().rules().get(0);
    }

    /** The problem line for the one rule on line 3, which must name {@code path}, have a fix and every fragment. */
    private static String problem(String body, String path, String... fragments) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("ifpin {\n  rules = [\n    { " + body + " }\n  ]\n}\n", FILE));
        String line = e.problems().stream().filter(p -> p.startsWith(FILE + ":3: " + path)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for " + path + " in " + e.getMessage()));
        assertTrue(line.contains(". Fix: "), line);
        for (String fragment : fragments) {
            assertTrue(line.contains(fragment), "\"" + fragment + "\" not in: " + line);
        }
        return line;
    }

    @Test
    void aMarkAloneIsAPinRule() throws Exception {
        Rule rule = only("name = marked, cidrs = [\"203.0.113.0/24\"], mark = 16");
        assertNull(rule.interfaceName());
        assertEquals(16, rule.mark().value());
        assertNull(rule.source());
        assertEquals("mark 16 (0x10)", rule.target());
    }

    @Test
    void aMarkMayBeAHexString() throws Exception {
        assertEquals(16, only("cidrs = [\"203.0.113.0/24\"], mark = \"0x10\"").mark().value());
        assertEquals(0xFFFFFFFFL, only("cidrs = [\"203.0.113.0/24\"], mark = \"0xffffffff\"").mark().value());
        assertEquals(0xFFFFFFFFL, only("cidrs = [\"203.0.113.0/24\"], mark = 4294967295").mark().value());
    }

    @Test
    void aSourceIsOneAddressOrOnePerFamily() throws Exception {
        Rule one = only("cidrs = [\"203.0.113.0/24\"], source = \"198.51.100.7\"");
        assertEquals(InetAddress.getByName("198.51.100.7"), one.source().ipv4());
        assertNull(one.source().ipv6());
        Rule two = only("cidrs = [\"203.0.113.0/24\"], interface = b0, source = [\"2001:db8:b::7\", \"198.51.100.7\"],"
                + " mark = 16");
        assertEquals(InetAddress.getByName("198.51.100.7"), two.source().ipv4());
        assertEquals(InetAddress.getByName("2001:db8:b::7"), two.source().ipv6());
        assertEquals("b0", two.interfaceName());
        assertEquals("b0 source [2001:db8:b::7, 198.51.100.7] mark 16 (0x10)", two.target());
    }

    @Test
    void aPinRuleNeedsAnInterfaceASourceOrAMark() {
        problem("cidrs = [\"203.0.113.0/24\"]", "ifpin.rules[0].interface", "required key is missing",
                "source = \"203.0.113.7\"", "mark = 16");
    }

    @Test
    void badMarks() {
        problem("cidrs = [\"203.0.113.0/24\"], mark = 0", "ifpin.rules[0].mark = 0", "no mark", "mark = 16");
        problem("cidrs = [\"203.0.113.0/24\"], mark = 4294967296", "ifpin.rules[0].mark", "32 bits");
        problem("cidrs = [\"203.0.113.0/24\"], mark = \"0x1g\"", "ifpin.rules[0].mark", "not a number");
        problem("cidrs = [\"203.0.113.0/24\"], mark = -1", "ifpin.rules[0].mark", "32 bits");
        problem("cidrs = [\"203.0.113.0/24\"], mark = [16]", "ifpin.rules[0].mark", "not a list");
    }

    @Test
    void badSources() {
        problem("cidrs = [\"203.0.113.0/24\"], source = \"host.example\"", "ifpin.rules[0].source",
                "not an IP address literal", "host names are not resolved");
        problem("cidrs = [\"203.0.113.0/24\"], source = \"198.51.100.0/24\"", "ifpin.rules[0].source",
                "one address, not a network");
        problem("cidrs = [\"203.0.113.0/24\"], source = [\"198.51.100.7\", \"198.51.100.8\"]",
                "ifpin.rules[0].source", "two IPv4 addresses");
        problem("cidrs = [\"203.0.113.0/24\"], source = \"0.0.0.0\"", "ifpin.rules[0].source", "wildcard");
        problem("cidrs = [\"203.0.113.0/24\"], source = \"::ffff:198.51.100.7\"", "ifpin.rules[0].source",
                "IPv4-mapped", "source = \"198.51.100.7\"");
        problem("cidrs = [\"203.0.113.0/24\"], source = []", "ifpin.rules[0].source", "empty");
        problem("cidrs = [\"203.0.113.0/24\"], source = \" 198.51.100.7\"", "ifpin.rules[0].source",
                "white space");
    }

    @Test
    void sourceAndMarkGoWithOutboundPinRulesOnly() {
        problem("cidrs = [\"203.0.113.0/24\"], action = deny, mark = 16", "ifpin.rules[0].mark",
                "deny rule pins nothing");
        problem("cidrs = [\"203.0.113.0/24\"], action = allow, source = \"198.51.100.7\"", "ifpin.rules[0].source",
                "allow rule pins nothing");
        problem("direction = inbound, ports = [8443], interface = b0, source = \"198.51.100.7\"",
                "ifpin.rules[0].source", "inbound", "keeps the local address the application binds");
        problem("direction = inbound, ports = [8443], interface = b0, mark = 16", "ifpin.rules[0].mark",
                "inbound", "remove mark");
    }

    @Test
    void dnsNeedsAnInterface() {
        problem("hosts = [\"*.corp.example\"], mark = 16, dns = [\"192.0.2.53\"]", "ifpin.rules[0].dns",
                "no interface");
    }
}
