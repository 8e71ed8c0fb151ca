package io.ifpin.config;

import io.ifpin.rules.Action;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a new config <em>lowers enforcement</em> compared with the one in force: whether some socket could get a
 * less strict outcome under it. Outcomes from strictest: refused ({@code deny}), pinned with
 * {@code on-error = fail-closed}, pinned (fail-open), allowed. Which interface a socket is pinned to is not
 * strictness: moving a rule to another interface lowers nothing.
 *
 * <p>Decided from the rules' text, conservatively (it may name a change that lowers nothing for any real socket, and
 * never misses one). The new config lowers enforcement when
 * <ol>
 * <li>its default ({@code default-action}, and {@code on-error} for {@code default-action = pin}) is less strict;</li>
 * <li>a deny or pin rule in force has no rule in the new config with the same conditions ({@code hosts},
 * {@code cidrs}, {@code ports}, {@code protocols}, {@code callers}, {@code direction}) that is at least as strict:
 * it was removed, made to match differently (narrowed or not: the check does not compare what rules match), or
 * made less strict;</li>
 * <li>a new rule (conditions not in force) is less strict than the default in force, or than a kept rule after it:
 * it may take sockets that those decided more strictly;</li>
 * <li>two kept rules swapped order and the one now first is less strict.</li>
 * </ol>
 * Switching {@code ifpin.mode} from enforce to observe lowers everything (one line); any config after observe lowers
 * nothing, since observe enforced nothing. Each gives one line saying what changed. A file caught half-written (an editor or {@code cp} that truncates first)
 * parses, if at all, as a prefix of the real one: fewer rules, a missing {@code default-action} line; all caught here.
 */
public final class EnforcementChange {
    private EnforcementChange() {
    }

    /** What in {@code after} lowers enforcement compared with {@code before}; empty when nothing does. */
    public static List<String> lowered(IfpinConfig before, IfpinConfig after) {
        List<String> changes = new ArrayList<>();
        if (after.observing() && !before.observing()) {
            // Observe enforces nothing: every outcome is lowered to "allowed", whatever the rules say.
            changes.add("ifpin.mode: enforce -> observe (no socket is pinned or refused)");
            return changes;
        }
        if (before.observing()) {
            return changes; // nothing was enforced, so nothing can be lowered (observe -> enforce raises it)
        }
        Rule oldDefault = before.defaultRule();
        Rule newDefault = after.defaultRule();
        if (strictness(newDefault) < strictness(oldDefault)) {
            changes.add("unmatched sockets: " + outcome(oldDefault) + " -> " + outcome(newDefault));
        }
        List<Rule> oldRules = before.rules().rules();
        List<Rule> newRules = after.rules().rules();
        // Each old rule's counterpart: the first unclaimed new rule with the same conditions.
        Map<String, List<Rule>> newByConditions = new HashMap<>();
        for (Rule rule : newRules) {
            newByConditions.computeIfAbsent(conditions(rule), key -> new ArrayList<>()).add(rule);
        }
        Map<Rule, Rule> oldOf = new IdentityHashMap<>(); // kept new rule -> its old rule
        for (Rule old : oldRules) {
            List<Rule> candidates = newByConditions.getOrDefault(conditions(old), List.of());
            Rule kept = candidates.isEmpty() ? null : candidates.remove(0);
            if (kept != null) {
                oldOf.put(kept, old);
                if (strictness(kept) < strictness(old)) {
                    changes.add("rule '" + old.name() + "': " + outcome(old) + " -> " + outcome(kept));
                }
            } else if (strictness(old) > 0) {
                changes.add("rule '" + old.name() + "' (" + old.describe() + ") is gone or matches differently");
            }
        }
        for (int i = 0; i < newRules.size(); i++) {
            Rule rule = newRules.get(i);
            Rule old = oldOf.get(rule);
            for (Rule later : newRules.subList(i + 1, newRules.size())) {
                Rule laterOld = oldOf.get(later);
                if (laterOld == null || strictness(rule) >= strictness(later)) {
                    continue;
                }
                if (old == null) {
                    changes.add("new rule '" + rule.name() + "' (" + outcome(rule) + ") comes before rule '"
                            + later.name() + "' (" + outcome(later) + ") and may take its sockets");
                    break;
                }
                if (oldRules.indexOf(old) > oldRules.indexOf(laterOld)) {
                    changes.add("rule '" + rule.name() + "' (" + outcome(rule) + ") moved before rule '"
                            + later.name() + "' (" + outcome(later) + ")");
                    break;
                }
            }
            if (old == null && strictness(rule) < strictness(oldDefault)) {
                changes.add("new rule '" + rule.name() + "' (" + outcome(rule) + ") may take sockets that were "
                        + outcome(oldDefault) + " by default");
            }
        }
        return changes;
    }

    /** 3 refused, 2 pinned fail-closed, 1 pinned fail-open, 0 allowed. */
    static int strictness(Rule rule) {
        return switch (rule.action()) {
            case DENY -> 3;
            case PIN -> rule.onError() == OnError.FAIL_CLOSED ? 2 : 1;
            case ALLOW -> 0;
        };
    }

    private static String outcome(Rule rule) {
        if (rule.action() == Action.PIN) {
            return "pinned to '" + rule.target() + "'"
                    + (rule.onError() == OnError.FAIL_CLOSED ? " (fail-closed)" : " (fail-open)");
        }
        return rule.action() == Action.DENY ? "refused (deny)" : "allowed";
    }

    /** What a rule matches, as one comparable string: two rules with equal conditions match the same sockets. */
    private static String conditions(Rule rule) {
        return rule.direction() + "|" + rule.hosts() + "|" + rule.cidrs() + "|" + rule.ports() + "|"
                + rule.protocols() + "|" + rule.callers();
    }
}
