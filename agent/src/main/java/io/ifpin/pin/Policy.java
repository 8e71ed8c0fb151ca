package io.ifpin.pin;

import io.ifpin.config.IfpinConfig;
import io.ifpin.link.InterfaceChoice;
import io.ifpin.link.LinkMonitor;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RuleStats;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.util.List;
import java.util.StringJoiner;

/**
 * The rules in force with their counters, swapped as one by {@link Pinner#apply}. Counters are looked up by the
 * rule's position, not its name, so counting costs no hashing on the socket's thread.
 */
final class Policy {
    private final RuleSet rules;
    private final Rule defaultRule;
    private final RuleStats[] statsByIndex;
    private final RuleStats defaultStats;
    /** By position, for rules that follow links (a list of interfaces, or a wait); null for the others. */
    private final InterfaceChoice[] choiceByIndex;
    /** {@code ifpin.mode = observe}: decide, count and audit, but touch no socket. */
    final boolean observe;

    Policy(IfpinConfig config, Metrics metrics) {
        this(config, metrics, LinkMonitor.NONE);
    }

    Policy(IfpinConfig config, Metrics metrics, LinkMonitor links) {
        this.observe = config.observing();
        this.rules = config.rules();
        this.defaultRule = config.defaultRule();
        List<Rule> list = rules.rules();
        this.statsByIndex = new RuleStats[list.size()];
        for (Rule rule : list) {
            statsByIndex[rule.index()] = metrics.stats(rule.name());
        }
        this.defaultStats = metrics.stats(defaultRule.name());
        StringJoiner steering = new StringJoiner("; ");
        for (Rule rule : list) {
            if (rule.steers()) {
                steering.add(rule.name() + ": " + rule.target());
            }
        }
        metrics.steering(steering.toString()); // the counters of these rules are theirs (RulesMBean "Steering")
        this.choiceByIndex = links.choicesFor(list);
    }

    /** The interface choice of a rule that {@link Rule#followsLinks()}. */
    InterfaceChoice choice(Rule rule) {
        int index = rule.index();
        InterfaceChoice choice = index >= 0 && index < choiceByIndex.length && rule == rules.rules().get(index)
                ? choiceByIndex[index] : null;
        return choice != null ? choice : InterfaceChoice.fixed(rule);
    }

    RuleSet rules() {
        return rules;
    }

    Rule defaultRule() {
        return defaultRule;
    }

    RuleStats stats(Rule rule) {
        int index = rule.index();
        return index >= 0 && index < statsByIndex.length && rule == rules.rules().get(index) ? statsByIndex[index]
                : defaultStats;
    }
}
