package io.ifpin.bench.harness;

import io.ifpin.config.ConfigLoader;
import io.ifpin.rules.Action;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The startup matrix's 10 rules load, and the first connect of the matrix (the pinned address) is pinned to b0. */
class HarnessConfigsTest {

    @Test
    void tenRuleMixIsTenRulesThatPinTheMatrixConnectToB0() throws Exception {
        RuleSet rules = ConfigLoader.parse(HarnessConfigs.TEN_RULE_MIX, "rules-10-mix.conf").rules();
        assertEquals(10, rules.rules().size());
        assertEquals(1, rules.rules().stream().filter(r -> r.action() == Action.DENY).count());
        Rule pinned = rules.match(InetAddress.getByName(HarnessConfigs.PINNED), 7000, Protocol.TCP);
        assertEquals("service", pinned.name());
        assertEquals("b0", pinned.interfaceName());
        assertNull(rules.match(InetAddress.getByName(HarnessConfigs.UNMATCHED), 7000, Protocol.TCP));
    }
}
