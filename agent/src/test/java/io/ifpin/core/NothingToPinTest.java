package io.ifpin.core;

import io.ifpin.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NothingToPinTest {

    private static boolean applies(String hocon) throws Exception {
        return NothingToPin.applies(ConfigLoader.parse(hocon, "test.conf"));
    }

    @Test
    void anEmptyConfigCannotAct() throws Exception {
        assertTrue(applies("ifpin {}"));
        assertTrue(applies("ifpin { rules = [], default-action = allow, metrics.jmx = true }"));
    }

    @Test
    void allowRulesCannotActButTheirJmxCountersAreWanted() throws Exception {
        String allowOnly = "ifpin { rules = [ { name = a, cidrs = [\"203.0.113.0/24\"], action = allow },"
                + " { name = b, hosts = [\"*.example\"], action = allow } ]";
        assertTrue(applies(allowOnly + ", metrics.jmx = false }"));
        assertFalse(applies(allowOnly + " }"), "JMX counts the operator's allow rules");
    }

    @Test
    void anythingThatActsRecordsOrMayChangeIsNotNothing() throws Exception {
        assertFalse(applies("ifpin.rules = [ { cidrs = [\"203.0.113.0/24\"], interface = b0 } ]"));
        assertFalse(applies("ifpin { metrics.jmx = false, rules = [ { cidrs = [\"203.0.113.0/24\"], action = deny } ] }"));
        assertFalse(applies("ifpin.default-action = deny"));
        assertFalse(applies("ifpin { metrics.jmx = false, rules = [ { direction = inbound, ports = [8443],"
                + " interface = b0 } ] }"));
        assertFalse(applies("ifpin { default-action = pin, default-interface = b0 }"));
        assertFalse(applies("ifpin.reload-interval = 5s"));
        assertFalse(applies("ifpin.audit.file = \"/tmp/ifpin-audit.jsonl\""));
    }
}
