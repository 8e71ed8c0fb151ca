package io.ifpin.config;

import io.ifpin.rules.Direction;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code direction} rule key: outbound by default, inbound for listeners, and what inbound refuses. */
class DirectionConfigTest {

    private static final String FILE = "test.conf";

    private static String problem(String rule) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("ifpin.rules = [\n" + rule + "\n]", FILE));
        return e.getMessage();
    }

    @Test
    void outboundIsTheDefault() throws Exception {
        Rule rule = ConfigLoader.parse("ifpin.rules = [ { cidrs = [\"192.0.2.0/24\"], interface = b0 } ]", FILE)
                .rules().rules().get(0);
        assertEquals(Direction.OUTBOUND, rule.direction());
    }

    @Test
    void inboundRuleWithPortsOnly() throws Exception {
        Rule rule = ConfigLoader.parse("ifpin.rules = [ { direction = INBOUND, ports = [8443], interface = b0 } ]",
                FILE).rules().rules().get(0);
        assertEquals(Direction.INBOUND, rule.direction());
        assertTrue(rule.describe().endsWith("direction inbound -> b0"), rule.describe());
    }

    @Test
    void inboundRuleWithHostsIsRefusedWithTheReasonAndFix() {
        String message = problem("{ name = svc, direction = inbound, hosts = [\"api.corp.example\"], ports = [8443],"
                + " interface = b0 }");
        assertTrue(message.contains("test.conf:2: ifpin.rules[0].hosts: rule \"svc\" is inbound"), message);
        assertTrue(message.contains("not by host name"), message);
        assertTrue(message.contains("Fix: remove hosts"), message);
    }

    @Test
    void inboundRuleWithoutPortsOrCidrsIsRefused() {
        String message = problem("{ name = svc, direction = inbound, interface = b0 }");
        assertTrue(message.contains("inbound rule \"svc\" has neither ports nor cidrs"), message);
        assertTrue(message.contains("Fix: add ports = [8443]"), message);
    }

    @Test
    void inboundUdpRuleIsRefused() {
        String message = problem("{ name = svc, direction = inbound, ports = [53], protocols = [udp], interface = b0 }");
        assertTrue(message.contains("ifpin.rules[0].protocols: inbound rule \"svc\" is for listening sockets"), message);
    }

    @Test
    void inboundRuleThatDoesNotPinOrHasCallersIsRefused() {
        String message = problem("{ name = svc, direction = inbound, ports = [8443], action = deny,"
                + " callers = [\"com.vendor.*\"] }");
        assertTrue(message.contains("ifpin.rules[0].action: inbound rule \"svc\" has action deny"), message);
        assertTrue(message.contains("ifpin.rules[0].callers: inbound rule \"svc\" has callers"), message);
    }

    @Test
    void unknownDirectionNamesTheAllowedValues() {
        String message = problem("{ cidrs = [\"192.0.2.0/24\"], direction = both, interface = b0 }");
        assertTrue(message.contains("ifpin.rules[0].direction"), message);
        assertTrue(message.contains("allowed: outbound, inbound"), message);
    }
}
