package io.ifpin.config;

import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: {@code interface} as a list in order of preference, and {@code wait-for-interface}. */
class InterfaceListConfigTest {

    private static final String FILE = "test.conf";

    private static IfpinConfig parse(String text) throws InvalidConfigException {
        return ConfigLoader.parse(text, FILE);
    }

    private static Rule rule(String text) throws InvalidConfigException {
        return parse(text).rules().rules().get(0);
    }

    private static String problem(String text) {
        return assertThrows(InvalidConfigException.class, () -> parse(text)).getMessage();
    }

    @Test
    void aSingleInterfaceKeepsItsMeaning() throws Exception {
        Rule rule = rule("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = b0 } ]");
        assertEquals(List.of("b0"), rule.interfaces());
        assertEquals(0, rule.waitForInterfaceMillis());
        assertFalse(rule.followsLinks());
        assertEquals("b0", rule.target());
    }

    @Test
    void aListIsTheOrderOfPreference() throws Exception {
        Rule rule = rule("ifpin.rules = [ { name = corp, cidrs = [\"192.0.2.0/24\"], interface = [tun0, \"eth1\"] } ]");
        assertEquals(List.of("tun0", "eth1"), rule.interfaces());
        assertEquals("tun0", rule.interfaceName());
        assertTrue(rule.followsLinks());
        assertTrue(rule.describe().endsWith("-> [tun0, eth1]"), rule.describe());
        assertEquals(List.of("tun0", "eth1"), List.copyOf(parse("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"],"
                + " interface = [tun0, eth1] } ]").rules().interfaceNames()));
    }

    @Test
    void aListOfOneIsOneInterface() throws Exception {
        Rule rule = rule("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = [tun0] } ]");
        assertEquals(List.of("tun0"), rule.interfaces());
        assertFalse(rule.followsLinks());
    }

    @Test
    void waitForInterfacePerRuleAndAsTheGlobalDefault() throws Exception {
        IfpinConfig config = parse("ifpin { wait-for-interface = 10s, rules = [\n"
                + "{ name = a, cidrs = [\"192.0.2.0/24\"], interface = tun0 },\n"
                + "{ name = b, cidrs = [\"198.51.100.0/24\"], interface = tun0, wait-for-interface = 1500ms },\n"
                + "{ name = c, cidrs = [\"203.0.113.0/24\"], interface = tun0, wait-for-interface = off },\n"
                + "{ name = d, cidrs = [\"2001:db8::/32\"], action = allow } ] }");
        List<Rule> rules = config.rules().rules();
        assertEquals(10_000, rules.get(0).waitForInterfaceMillis());
        assertTrue(rules.get(0).followsLinks());
        assertEquals(1500, rules.get(1).waitForInterfaceMillis());
        assertEquals(0, rules.get(2).waitForInterfaceMillis());
        assertFalse(rules.get(2).followsLinks());
        assertEquals(0, rules.get(3).waitForInterfaceMillis());
        assertTrue(rules.get(1).describe().contains("(waits 1500 ms for an interface)"), rules.get(1).describe());
    }

    @Test
    void offIsTheDefault() throws Exception {
        assertEquals(0, rule("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = tun0 } ]")
                .waitForInterfaceMillis());
    }

    @Test
    void aDuplicateInterfaceIsRefusedWithFileLineAndFix() {
        String message = problem("ifpin.rules = [\n{ name = corp, cidrs = [\"192.0.2.0/24\"],\n"
                + "  interface = [tun0, eth1, tun0] } ]");
        assertTrue(message.contains("test.conf:3: ifpin.rules[0].interface[2] = \"tun0\": is listed twice"), message);
        assertTrue(message.contains("Fix: list each interface once, in order of preference"), message);
    }

    @Test
    void anEmptyListOrEntryIsRefused() {
        String empty = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = [] } ]");
        assertTrue(empty.contains("ifpin.rules[0].interface = []: the list is empty"), empty);
        assertTrue(empty.contains("Fix: list the interfaces in order of preference"), empty);
        String blank = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = [tun0, \"\"] } ]");
        assertTrue(blank.contains("ifpin.rules[0].interface[1] = \"\": "), blank);
        String number = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = [tun0, 5] } ]");
        assertTrue(number.contains("ifpin.rules[0].interface[1] = 5: must be a string"), number);
        String tooLong = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = [tun0,"
                + " abcdefghijklmnopq] } ]");
        assertTrue(tooLong.contains("ifpin.rules[0].interface[1] = "), tooLong);
    }

    @Test
    void aBadWaitIsRefused() {
        String notDuration = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = tun0,"
                + " wait-for-interface = soon } ]");
        assertTrue(notDuration.contains("ifpin.rules[0].wait-for-interface = \"soon\": not a duration"), notDuration);
        assertTrue(notDuration.contains("Fix: write e.g. wait-for-interface = 10s, or off"), notDuration);
        String zero = problem("ifpin { wait-for-interface = 0s, rules = [] }");
        assertTrue(zero.contains("ifpin.wait-for-interface = \"0s\": must be longer than 0"), zero);
        String hour = problem("ifpin { wait-for-interface = 1h, rules = [] }");
        assertTrue(hour.contains("ifpin.wait-for-interface = \"1h\": longer than 600 s"), hour);
    }

    @Test
    void whereAListOrAWaitMeansNothingItIsRefused() {
        String allow = problem("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], action = allow,"
                + " wait-for-interface = 5s } ]");
        assertTrue(allow.contains("ifpin.rules[0].wait-for-interface = \"5s\": an allow rule pins nothing"), allow);
        String inbound = problem("ifpin.rules = [ { direction = inbound, ports = [8443], interface = [b0, a0] } ]");
        assertTrue(inbound.contains("an inbound rule pins listeners to one interface"),
                inbound);
        String dns = problem("ifpin.rules = [ { hosts = [\"*.corp.example\"], dns = [\"192.0.2.53\"],"
                + " interface = [tun0, eth1] } ]");
        assertTrue(dns.contains("a rule with dns asks its servers over one interface"),
                dns);
    }

    @Test
    void theKeyIsKnownAtBothLevels() {
        assertTrue(ConfigReader.ROOT_KEYS.contains("wait-for-interface"));
        assertTrue(RuleReader.RULE_KEYS.contains("wait-for-interface"));
    }
}
