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

    /** {@code direction = inbound} rules, for listening sockets; never consulted by {@link #match}. */
    private final Rule[] inboundArray;

    private RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.ruleArray = this.rules.stream().filter(rule -> !rule.isInbound()).toArray(Rule[]::new);
        this.inboundArray = this.rules.stream().filter(Rule::isInbound).toArray(Rule[]::new);
        this.anyRuleHasHosts = this.rules.stream().anyMatch(Rule::hasHosts);
        Set<String> names = new LinkedHashSet<>();
        this.rules.forEach(rule -> names.add(rule.interfaceName()));
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
        String requestedHost = anyRuleHasHosts ? HostNames.requestedName(address) : null;
        if (address instanceof Inet4Address) {
            return matchIpv4(Cidr.ipv4Bits(address), requestedHost, port, protocol);
        }
        byte[] bytes = address.getAddress();
        if (Addresses.isIpv4Mapped(bytes)) {
            return matchIpv4(Cidr.toInt(bytes, 12), requestedHost, port, protocol);
        }
        long high = Cidr.high64(bytes);
        long low = Cidr.low64(bytes);
        for (Rule rule : ruleArray) {
            if (rule.matchesIpv6(high, low, requestedHost, port, protocol)) {
                return rule;
            }
        }
        return null;
    }

    private Rule matchIpv4(int address, String requestedHost, int port, Protocol protocol) {
        for (Rule rule : ruleArray) {
            if (rule.matchesIpv4(address, requestedHost, port, protocol)) {
                return rule;
            }
        }
        return null;
    }

    /** True when some outbound rule applies to {@code protocol}. */
    public boolean hasOutbound(Protocol protocol) {
        for (Rule rule : ruleArray) {
            if (rule.protocols().contains(protocol)) {
                return true;
            }
        }
        return false;
    }

    public boolean hasInbound() {
        return inboundArray.length > 0;
    }

    /** The first inbound rule for a listener bound to {@code local:port}, or null. */
    public Rule matchInbound(InetAddress local, int port) {
        for (Rule rule : inboundArray) {
            if (rule.matchesListener(local, port)) {
                return rule;
            }
        }
        return null;
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
