package io.ifpin.config;

import io.ifpin.rules.Action;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded and validated config.
 *
 * @param source         the file it came from (or the origin name given to {@link ConfigLoader#parse}), for messages
 * @param defaultRule    what happens to a socket no rule matches ({@code default-action}); see {@link Rule#byDefault}
 * @param reloadInterval how often the file is checked for changes; empty when reloading is off
 * @param jmx            whether the {@code ifpin:type=Rules} MBean is registered
 * @param mode           {@code ifpin.mode}: enforce the decisions, or only observe them
 */
public record IfpinConfig(String source, LogSettings log, RuleSet rules, Rule defaultRule,
                          Optional<Duration> reloadInterval, AuditSettings audit, boolean jmx, Mode mode) {
    public IfpinConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(defaultRule, "defaultRule");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        Objects.requireNonNull(audit, "audit");
    }

    /** The rules that pin (in order), then the default rule when it pins: the ones whose interfaces matter. */
    public List<Rule> pinRules() {
        List<Rule> pinning = new ArrayList<>();
        for (Rule rule : rules.rules()) {
            if (rule.action() == Action.PIN) {
                pinning.add(rule);
            }
        }
        if (defaultRule.action() == Action.PIN) {
            pinning.add(defaultRule);
        }
        return pinning;
    }

    /** Enforced. */
    public IfpinConfig(String source, LogSettings log, RuleSet rules, Rule defaultRule,
                       Optional<Duration> reloadInterval, AuditSettings audit, boolean jmx) {
        this(source, log, rules, defaultRule, reloadInterval, audit, jmx, Mode.ENFORCE);
    }

    /** This config in {@code newMode} (the {@code -Difpin.mode} override). */
    public IfpinConfig withMode(Mode newMode) {
        return newMode == mode ? this
                : new IfpinConfig(source, log, rules, defaultRule, reloadInterval, audit, jmx, newMode);
    }

    /** Whether decisions are only observed: no socket is touched. */
    public boolean observing() {
        return mode == Mode.OBSERVE;
    }

    /**
     * Whether some socket may be refused under this config: a deny rule or default, or a fail-closed pin. Such a
     * policy must not run unpinned because ifpin failed ({@link EnforcementChange#strictness}: 2 or more). In observe
     * mode nothing is refused.
     */
    public boolean mayRefuse() {
        if (observing()) {
            return false;
        }
        if (EnforcementChange.strictness(defaultRule) >= 2) {
            return true;
        }
        for (Rule rule : rules.rules()) {
            if (EnforcementChange.strictness(rule) >= 2) {
                return true;
            }
        }
        return false;
    }

    /** Rules only: unmatched sockets are allowed, no reload, no audit, JMX on. */
    public IfpinConfig(String source, LogSettings log, RuleSet rules) {
        this(source, log, rules, Rule.byDefault(Action.ALLOW, null, OnError.FAIL_OPEN, "(built in)"), Optional.empty(), AuditSettings.OFF, true);
    }
}
