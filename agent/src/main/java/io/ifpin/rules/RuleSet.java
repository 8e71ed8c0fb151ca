package io.ifpin.rules;

import io.ifpin.os.Addresses;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ordered rules of a config; {@link #match} returns the first rule that applies.
 *
 * <p>{@code match} runs on every connect and send, so it does not scan the rules: three indexes yield the rules
 * whose address condition can hold, and each of those candidates is checked with the rule's own
 * {@link Rule#matchesIpv4}/{@link Rule#matchesIpv6} (ports, protocols, everything), lowest position first. The
 * answer is therefore exactly the linear scan's first match ({@code RuleSetDifferentialTest} compares the two on
 * random rules). Every outbound rule has CIDRs or hosts ({@link Rule} refuses one with neither), so two indexes
 * find every candidate:
 * <ul>
 *   <li>{@link PrefixTrie} per family: the rules whose CIDRs contain the address;</li>
 *   <li>{@link HostIndex}: the rules whose host patterns match the requested name (exact names and wildcards).</li>
 * </ul>
 * Each index yields ascending rule positions, and a list is read only while its positions are below the best
 * match so far, so a long list behind an early match costs nothing. For an IPv4 literal with no host rules, match
 * allocates nothing.
 */
public final class RuleSet {
    private final List<Rule> rules;
    private final Rule[] ruleArray;
    /** Extracting the requested name allocates, so it is skipped when no rule could use it. */
    private final boolean anyRuleHasHosts;
    /** Finding the caller walks the stack, so it is only prepared when some rule has callers. */
    private final boolean anyRuleHasCallers;
    private final Set<String> interfaceNames;
    private final PrefixTrie ipv4Networks = new PrefixTrie(32);
    private final PrefixTrie ipv6Networks = new PrefixTrie(128);
    private final HostIndex hostPatterns;

    /** {@code direction = inbound} rules, for listening sockets; never consulted by {@link #match}. */
    private final Rule[] inboundArray;
    /** Bit {@code 1 << protocol.ordinal()} when some outbound rule applies to that protocol. */
    private final int outboundProtocols;

    private RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        // Outbound rules only: the indexes' positions are positions in ruleArray; inbound rules pin listeners.
        List<Rule> outbound = new ArrayList<>();
        List<Rule> inbound = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        boolean callers = false;
        int protocols = 0;
        for (Rule rule : this.rules) { // one loop, not four streams: built in premain, by the interpreter
            (rule.isInbound() ? inbound : outbound).add(rule);
            if (rule.action() == Action.PIN) {
                names.addAll(rule.interfaces());
            }
            callers |= rule.hasCallers();
            if (!rule.isInbound()) {
                for (Protocol protocol : rule.protocols()) {
                    protocols |= 1 << protocol.ordinal();
                }
            }
        }
        this.outboundProtocols = protocols;
        this.ruleArray = outbound.toArray(new Rule[0]);
        this.inboundArray = inbound.toArray(new Rule[0]);
        this.anyRuleHasCallers = callers;
        this.interfaceNames = Collections.unmodifiableSet(names);

        List<List<HostPattern>> patternsByRule = new ArrayList<>(ruleArray.length);
        boolean hosts = false;
        for (int position = 0; position < ruleArray.length; position++) {
            Rule rule = ruleArray[position];
            for (Cidr cidr : rule.cidrList()) {
                (cidr.isIpv4() ? ipv4Networks : ipv6Networks)
                        .add(cidr.keyHigh(), cidr.keyLow(), cidr.prefixLength(), position);
            }
            patternsByRule.add(rule.hostPatterns());
            hosts |= rule.hasHosts();
        }
        ipv4Networks.build();
        ipv6Networks.build();
        this.anyRuleHasHosts = hosts;
        this.hostPatterns = hosts ? new HostIndex(patternsByRule) : null;
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
        if (ruleArray.length == 0) {
            return null;
        }
        CallerOnce caller = anyRuleHasCallers ? new CallerOnce(callers) : null;
        String requestedHost = anyRuleHasHosts ? HostNames.requestedName(address) : null;
        if (address instanceof Inet4Address) {
            return matchIpv4(Cidr.ipv4Bits(address), requestedHost, port, protocol, caller);
        }
        // Read only: in the agent these are the address's own bytes, not a copy (InetAddressFields).
        byte[] bytes = address instanceof Inet6Address ? InetAddressFields.ipv6Bytes((Inet6Address) address)
                : address.getAddress();
        if (Addresses.isIpv4Mapped(bytes)) {
            return matchIpv4(Cidr.toInt(bytes, 12), requestedHost, port, protocol, caller);
        }
        return matchIpv6(Cidr.high64(bytes), Cidr.low64(bytes), requestedHost, port, protocol, caller);
    }

    /**
     * Runs the match once for an IPv4 and an IPv6 address on the calling thread, so that the classes it initialises
     * (the caller lookup's, the tries') are initialised there and not by the first of many application threads that
     * connect at once, each waiting for it. Makes no {@link InetAddress}: in premain that would initialise the JDK's
     * name service (the security properties file) for applications that never open a socket.
     */
    public void warmUp() {
        CallerOnce caller = new CallerOnce(CallerLookup.UNKNOWN);
        if (ruleArray.length > 0) {
            matchIpv4(0x7f000001, null, 1, Protocol.TCP, caller);
            matchIpv6(0L, 1L, null, 1, Protocol.TCP, caller);
        }
    }

    private Rule matchIpv4(int address, String requestedHost, int port, Protocol protocol, CallerOnce caller) {
        int best = ruleArray.length; // "none yet": above every position
        for (PrefixTrie.Node node = ipv4Networks.lookup((address & 0xffffffffL) << 32, 0); node != null;
             node = node.shorter) {
            best = firstIpv4(node.rules, best, address, requestedHost, port, protocol, caller);
        }
        if (requestedHost != null) {
            HostIndex.Entry exact = hostPatterns.exact(requestedHost);
            if (exact != null) {
                best = firstIpv4(exact.rules, best, address, requestedHost, port, protocol, caller);
            }
            for (HostIndex.Entry entry = hostPatterns.longestWildcard(requestedHost); entry != null;
                 entry = entry.shorter) {
                best = firstIpv4(entry.rules, best, address, requestedHost, port, protocol, caller);
            }
        }
        return best < ruleArray.length ? ruleArray[best] : null;
    }

    /** The first of {@code candidates} below {@code best} whose rule applies, else {@code best}. */
    private int firstIpv4(int[] candidates, int best, int address, String requestedHost, int port,
                          Protocol protocol, CallerOnce caller) {
        for (int position : candidates) {
            if (position >= best) {
                break;
            }
            if (ruleArray[position].matchesIpv4(address, requestedHost, port, protocol)
                    && callerMatches(ruleArray[position], caller)) {
                return position;
            }
        }
        return best;
    }

    private Rule matchIpv6(long high, long low, String requestedHost, int port, Protocol protocol,
                           CallerOnce caller) {
        int best = ruleArray.length;
        for (PrefixTrie.Node node = ipv6Networks.lookup(high, low); node != null; node = node.shorter) {
            best = firstIpv6(node.rules, best, high, low, requestedHost, port, protocol, caller);
        }
        if (requestedHost != null) {
            HostIndex.Entry exact = hostPatterns.exact(requestedHost);
            if (exact != null) {
                best = firstIpv6(exact.rules, best, high, low, requestedHost, port, protocol, caller);
            }
            for (HostIndex.Entry entry = hostPatterns.longestWildcard(requestedHost); entry != null;
                 entry = entry.shorter) {
                best = firstIpv6(entry.rules, best, high, low, requestedHost, port, protocol, caller);
            }
        }
        return best < ruleArray.length ? ruleArray[best] : null;
    }

    private int firstIpv6(int[] candidates, int best, long high, long low, String requestedHost, int port,
                          Protocol protocol, CallerOnce caller) {
        for (int position : candidates) {
            if (position >= best) {
                break;
            }
            if (ruleArray[position].matchesIpv6(high, low, requestedHost, port, protocol)
                    && callerMatches(ruleArray[position], caller)) {
                return position;
            }
        }
        return best;
    }

    /** Rules without callers always pass; {@code caller} is null only when no rule has callers. */
    private static boolean callerMatches(Rule rule, CallerOnce caller) {
        return !rule.hasCallers() || rule.matchesCaller(caller.get());
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

    /** True when some outbound rule applies to {@code protocol}; asked per Netty datagram batch, so known in advance. */
    public boolean hasOutbound(Protocol protocol) {
        return (outboundProtocols & 1 << protocol.ordinal()) != 0;
    }

    /** Whether some rule has {@code callers}: which rule applies then depends on who opened the socket. */
    public boolean hasCallers() {
        return anyRuleHasCallers;
    }

    public boolean hasInbound() {
        return inboundArray.length > 0;
    }

    /** Whether some rule has {@code dns} (ifpin then sends DNS queries of its own). */
    public boolean anyHasDns() {
        for (Rule rule : rules) {
            if (rule.hasDns()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some rule decides name lookups ({@link Rule#decidesNames}). Here rather than in the dns package, so
     * that premain asks without loading its classes when no rule does (most configs).
     */
    public boolean anyDecidesNames() {
        for (Rule rule : rules) {
            if (rule.decidesNames()) {
                return true;
            }
        }
        return false;
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
