package io.ifpin.config;

import io.ifpin.rules.Rule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The loader merges reference.conf only when a file has substitutions (a startup saving); otherwise the reader's own
 * defaults apply. Both must read every file the same way.
 */
class ConfigDefaultsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "ifpin {}",
            "ifpin.rules = []",
            "ifpin { log { file = \"/tmp/ifpin.log\" } }",
            "ifpin { log { level = debug } }",
            "ifpin { audit { file = \"/tmp/audit.jsonl\" } }",
            "ifpin { audit { file = \"/tmp/audit.jsonl\", max-files = 2 } }",
            "ifpin { metrics {} }",
            "ifpin { metrics { jmx = false } }",
            "ifpin { on-error = fail-closed, reload-interval = 5s }",
            "ifpin { default-action = pin, default-interface = eth1 }",
            "ifpin { default-action = deny, rules = [ { cidrs = [\"192.0.2.0/24\"], interface = tun0 } ] }",
            "ifpin.rules = [ { name = a, hosts = [\"*.corp.example\"], ports = [443], interface = tun0 },"
                    + " { cidrs = [\"2001:db8::/32\"], action = allow } ]",
    })
    void withAndWithoutReferenceConfReadTheSame(String hocon) throws InvalidConfigException {
        IfpinConfig direct = ConfigLoader.parse(hocon, "test.conf");
        IfpinConfig merged = ConfigLoader.parseWithReference(hocon, "test.conf");
        assertEquals(merged.log(), direct.log());
        assertEquals(merged.audit(), direct.audit());
        assertEquals(merged.jmx(), direct.jmx());
        assertEquals(merged.reloadInterval(), direct.reloadInterval());
        assertEquals(describe(merged.defaultRule()), describe(direct.defaultRule()));
        assertEquals(merged.rules().rules().stream().map(ConfigDefaultsTest::describe).toList(),
                direct.rules().rules().stream().map(ConfigDefaultsTest::describe).toList());
    }

    /** Everything a rule is, except where default-action was read from (reference.conf's line, or "built in"). */
    private static String describe(Rule rule) {
        return rule.describe() + " action=" + rule.action() + " on-error=" + rule.onError() + " interface="
                + rule.interfaceName() + (rule.name().equals(Rule.DEFAULT_NAME) ? "" : " origin=" + rule.origin());
    }
}
