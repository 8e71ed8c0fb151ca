package io.ifpin.config;

import io.ifpin.rules.Action;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy keys (issue 6): what they load to, and the file:line message and fix of each mistake. */
class PolicyConfigTest {
    private static final String FILE = "policy.conf";

    private static IfpinConfig load(String hocon) throws InvalidConfigException {
        return ConfigLoader.parse(hocon, FILE);
    }

    private static String problem(String hocon, int line, String path, String... fragments) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> load(hocon));
        String prefix = FILE + ":" + line + ": " + path;
        String found = e.problems().stream().filter(text -> text.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem starting \"" + prefix + "\" in:\n" + e.getMessage()));
        assertTrue(found.contains(". Fix: "), found);
        for (String fragment : fragments) {
            assertTrue(found.contains(fragment), "\"" + fragment + "\" not in: " + found);
        }
        return found;
    }

    private static String rule(String body) {
        return "ifpin {\n  rules = [\n    { " + body + " }\n  ]\n}\n";
    }

    @Test
    void defaultsKeepTheCoreBehaviour() throws Exception {
        IfpinConfig config = load(rule("cidrs = [\"192.0.2.0/24\"], interface = b0"));
        Rule only = config.rules().rules().get(0);
        assertEquals(Action.PIN, only.action());
        assertEquals(OnError.FAIL_OPEN, only.onError());
        assertTrue(only.callers().isEmpty());
        assertEquals(Action.ALLOW, config.defaultRule().action());
        assertEquals(Rule.DEFAULT_NAME, config.defaultRule().name());
        assertEquals(Optional.empty(), config.reloadInterval());
        assertFalse(config.audit().enabled());
        assertTrue(config.jmx());
    }

    @Test
    void everyPolicyKeyLoads() throws Exception {
        IfpinConfig config = load("""
                ifpin {
                  on-error = fail-closed
                  default-action = pin
                  default-interface = a0
                  reload-interval = 2s
                  audit { file = "/tmp/ifpin-audit.jsonl", max-size = 1M, max-files = 3, queue-size = 100 }
                  metrics.jmx = false
                  rules = [
                    { name = deny-meta, cidrs = ["203.0.113.7"], action = deny }
                    { name = carve-out, cidrs = ["198.51.100.0/24"], action = allow }
                    { name = legacy, cidrs = ["0.0.0.0/0"], interface = b0, callers = ["com.vendor.legacy.*"],
                      on-error = fail-open }
                    { name = storage, cidrs = ["192.0.2.0/24"], interface = b0 }
                  ]
                }
                """);
        List<Rule> rules = config.rules().rules();
        assertEquals(Action.DENY, rules.get(0).action());
        assertNull(rules.get(0).interfaceName());
        assertEquals(Action.ALLOW, rules.get(1).action());
        assertEquals(OnError.FAIL_OPEN, rules.get(2).onError(), "a rule's own on-error wins");
        assertTrue(rules.get(2).matchesCaller("com.vendor.legacy.db.Pool"));
        assertFalse(rules.get(2).matchesCaller("com.vendor.other.Pool"));
        assertEquals(OnError.FAIL_CLOSED, rules.get(3).onError(), "the global on-error is inherited");
        assertEquals(Action.PIN, config.defaultRule().action());
        assertEquals("a0", config.defaultRule().interfaceName());
        assertEquals(OnError.FAIL_CLOSED, config.defaultRule().onError());
        assertTrue(config.defaultRule().origin().startsWith(FILE + ":3"), config.defaultRule().origin());
        assertEquals(Optional.of(Duration.ofSeconds(2)), config.reloadInterval());
        assertEquals(new AuditSettings(Optional.of(Path.of("/tmp/ifpin-audit.jsonl")), 1L << 20, 3, 100),
                config.audit());
        assertFalse(config.jmx());
        assertEquals(List.of("b0"), List.copyOf(config.rules().interfaceNames()), "allow/deny rules name none");
    }

    @Test
    void unknownAction() {
        problem(rule("cidrs = [\"192.0.2.0/24\"], action = block"), 3, "ifpin.rules[0].action", "unknown action",
                "pin, allow or deny");
    }

    @Test
    void denyWithAnInterface() {
        problem(rule("cidrs = [\"192.0.2.0/24\"], action = deny, interface = b0"), 3, "ifpin.rules[0].interface",
                "deny rule pins nothing", "remove interface");
    }

    @Test
    void pinWithoutAnInterface() {
        problem(rule("cidrs = [\"192.0.2.0/24\"], action = pin"), 3, "ifpin.rules[0].interface",
                "required key is missing");
        problem(rule("cidrs = [\"192.0.2.0/24\"]"), 3, "ifpin.rules[0].interface", "action = allow / action = deny");
    }

    @Test
    void unknownOnError() {
        problem(rule("cidrs = [\"192.0.2.0/24\"], interface = b0, on-error = closed"), 3, "ifpin.rules[0].on-error",
                "unknown on-error mode", "fail-open or fail-closed");
        problem("ifpin.on-error = maybe\n", 1, "ifpin.on-error", "fail-open or fail-closed");
    }

    @Test
    void callersMustBePackagesOrClasses() {
        problem(rule("cidrs = [\"192.0.2.0/24\"], interface = b0, callers = [\"com/vendor\"]"), 3,
                "ifpin.rules[0].callers[0]", "not a Java package or class name");
        problem(rule("cidrs = [\"192.0.2.0/24\"], interface = b0, callers = [\"*\"]"), 3,
                "ifpin.rules[0].callers[0]", "matches every class");
        problem(rule("cidrs = [\"192.0.2.0/24\"], interface = b0, callers = []"), 3, "ifpin.rules[0].callers",
                "never matches");
        problem(rule("cidrs = [\"192.0.2.0/24\"], interface = b0, callers = \"com.vendor.*\""), 3,
                "ifpin.rules[0].callers", "write callers = [\"com.vendor.*\"]");
    }

    @Test
    void defaultActionMistakes() {
        problem("ifpin.default-action = pin\n", 1, "ifpin.default-action", "needs an interface",
                "default-interface");
        problem("ifpin {\n  default-action = deny\n  default-interface = b0\n}\n", 3, "ifpin.default-interface",
                "only used with default-action = pin");
        problem("ifpin.default-action = reject\n", 1, "ifpin.default-action", "unknown action");
        problem("ifpin {\n  default-action = pin\n  default-interface = \"b0/1\"\n}\n", 3,
                "ifpin.default-interface");
    }

    @Test
    void reloadIntervalMistakes() {
        problem("ifpin.reload-interval = soon\n", 1, "ifpin.reload-interval", "not a duration", "5s");
        problem("ifpin.reload-interval = 10ms\n", 1, "ifpin.reload-interval", "shorter than 100 ms");
    }

    @Test
    void reloadIntervalOff() throws Exception {
        assertEquals(Optional.empty(), load("ifpin.reload-interval = off\n").reloadInterval());
    }

    @Test
    void auditMistakes() {
        problem("ifpin.audit.max-size = big\n", 1, "ifpin.audit.max-size", "not a size", "10M");
        problem("ifpin.audit.max-size = 100\n", 1, "ifpin.audit.max-size", "smaller than 4096");
        problem("ifpin.audit.max-files = 0\n", 1, "ifpin.audit.max-files", "at least 1");
        problem("ifpin.audit.queue-size = 1.5\n", 1, "ifpin.audit.queue-size", "whole number");
        problem("ifpin.audit.fil = x\n", 1, "ifpin.audit.fil", "did you mean `file`?");
        problem("ifpin.audit.file = \"\"\n", 1, "ifpin.audit.file", "not a usable path");
    }

    @Test
    void metricsMistakes() {
        problem("ifpin.metrics.jmx = yes-please\n", 1, "ifpin.metrics.jmx", "true or false");
    }
}
