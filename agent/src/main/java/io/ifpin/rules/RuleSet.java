package io.ifpin.rules;

import io.ifpin.os.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ordered rules of a config; {@link #match} returns the first rule that applies.
 *
 * <p>{@code match} is the single entry point of the hot path so that the linear scan can later be
 * replaced by an index without touching callers.
 */
public final class RuleSet {
    private final List<Rule> rules;
    private final Rule[] ruleArray;
    /** Extracting the requested name allocates, so it is skipped when no rule could use it. */
    private final boolean anyRuleHasHosts;
    private final Set<String> interfaceNames;

    private RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.ruleArray = this.rules.toArray(new Rule[0]);
        this.anyRuleHasHosts = this.rules.stream().anyMatch(Rule::hasHosts);
        Set<String> names = new LinkedHashSet<>();
        this.rules.stream().filter(rule -> rule.action() == Action.PIN).forEach(rule -> names.add(rule.interfaceName()));
        this.interfaceNames = Collections.unmodifiableSet(names);
    }

    /** @throws IllegalArgumentException if two rules share a name */
    public static RuleSet of(List<Rule> rules) {
        Set<String> seen = new HashSet<>();
        for (Rule rule : rules) {
            if (!seen.add(rule.name())) {
                throw new IllegalArgumentException("duplicate rule name " + rule.name());
            }
        }
        return new RuleSet(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return ruleArray.length == 0;
    }

    /**
     * The first rule that applies to a socket to {@code address:port}, or null.
     *
     * <p>Called on every socket connect and send: never does DNS, and allocates nothing when no
     * rule has hosts and the address is IPv4.
     */
    public Rule match(InetAddress address, int port, Protocol protocol) {
        return match(address, port, protocol, CallerLookup.UNKNOWN);
    }

    /**
     * As {@link #match(InetAddress, int, Protocol)}, for configs with {@code callers}: {@code callers} is asked at
     * most once, and only when a rule with callers matches everything else.
     */
    public Rule match(InetAddress address, int port, Protocol protocol, CallerLookup callers) {
        String requestedHost = anyRuleHasHosts ? HostNames.requestedName(address) : null;
        if (address instanceof Inet4Address) {
            return matchIpv4(Cidr.ipv4Bits(address), requestedHost, port, protocol, callers);
        }
        byte[] bytes = address.getAddress();
        if (Addresses.isIpv4Mapped(bytes)) {
            return matchIpv4(Cidr.toInt(bytes, 12), requestedHost, port, protocol, callers);
        }
        long high = Cidr.high64(bytes);
        long low = Cidr.low64(bytes);
        CallerOnce caller = null;
        for (Rule rule : ruleArray) {
            if (rule.matchesIpv6(high, low, requestedHost, port, protocol)) {
                if (!rule.hasCallers()) {
                    return rule;
                }
                caller = caller == null ? new CallerOnce(callers) : caller;
                if (rule.matchesCaller(caller.get())) {
                    return rule;
                }
            }
        }
        return null;
    }

    private Rule matchIpv4(int address, String requestedHost, int port, Protocol protocol, CallerLookup callers) {
        CallerOnce caller = null;
        for (Rule rule : ruleArray) {
            if (rule.matchesIpv4(address, requestedHost, port, protocol)) {
                if (!rule.hasCallers()) {
                    return rule;
                }
                caller = caller == null ? new CallerOnce(callers) : caller;
                if (rule.matchesCaller(caller.get())) {
                    return rule;
                }
            }
        }
        return null;
    }

    /** Asks the lookup once however many rules with callers are tried (it walks the stack). */
    private static final class CallerOnce {
        private final CallerLookup lookup;
        private boolean asked;
        private String caller;

        CallerOnce(CallerLookup lookup) {
            this.lookup = lookup;
        }

        String get() {
            if (!asked) {
                caller = lookup.callerClassName();
                asked = true;
            }
            return caller;
        }
    }

    /** The distinct interfaces the rules pin to, in rule order. */
    public Set<String> interfaceNames() {
        return interfaceNames;
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
