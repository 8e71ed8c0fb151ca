package io.ifpin.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The first of some rules whose {@code hosts} match a name, through a {@link HostIndex}: one probe per label of the
 * name, however many rules, and no allocation. For the name-lookup hook, which runs on every miss of the JDK's address
 * cache, most of them for names no rule matches. Equal to the scan of {@link Rule#matchesHostName} in order
 * (FirstHostMatchDifferentialTest).
 */
public final class FirstHostMatch {

    private final Rule[] rules;
    private final HostIndex index;

    public FirstHostMatch(List<Rule> rules) {
        this.rules = rules.toArray(new Rule[0]);
        List<List<HostPattern>> patternsByRule = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            List<HostPattern> patterns = new ArrayList<>(rule.hosts().size());
            for (String text : rule.hosts()) {
                patterns.add(HostPattern.parse(text));
            }
            patternsByRule.add(patterns);
        }
        this.index = new HostIndex(patternsByRule);
    }

    /** The first rule (in list order) with a host pattern that matches {@code host}, or null. */
    public Rule first(String host) {
        if (rules.length == 0 || host.isEmpty()) {
            return null;
        }
        int best = Integer.MAX_VALUE;
        HostIndex.Entry exact = index.exact(host);
        if (exact != null) {
            best = exact.rules[0];
        }
        for (HostIndex.Entry entry = index.longestWildcard(host); entry != null; entry = entry.shorter) {
            best = Math.min(best, entry.rules[0]);
        }
        return best == Integer.MAX_VALUE ? null : rules[best];
    }
}
