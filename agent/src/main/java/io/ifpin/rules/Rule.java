package io.ifpin.rules;

import io.ifpin.dns.DnsServer;
import io.ifpin.os.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * One rule: sockets to a matching destination are pinned to {@link #interfaceName()}, allowed, or denied
 * ({@link #action()}).
 *
 * <p>A rule matches when (any host pattern matches the requested name OR any CIDR contains the
 * address) AND the port is in its port set AND the protocol is one of its protocols AND, when it has
 * {@link #callers()}, the class that opened the socket matches one of them. Immutable.
 */
public final class Rule {
    private final String name;
    private final int index;
    private final String interfaceName;
    private final String origin;
    private final List<HostPattern> hostPatterns;
    private final List<Cidr> cidrList;
    private final List<String> hostTexts;
    private final List<String> cidrTexts;
    private final PortSet ports;
    private final Set<Protocol> protocols;
    private final Action action;
    private final OnError onError;
    private final List<CallerPattern> callers;

    // Arrays and a bit mask for the hot path: indexed loops over arrays allocate no iterators.
    private final HostPattern[] hostArray;
    private final Cidr[] ipv4Cidrs;
    private final Cidr[] ipv6Cidrs;
    private final int protocolMask;
    private final Direction direction;
    /**
     * Set only by {@link #withDns} on a fresh copy, before the rule is shared (not final so that the constructors
     * stay as they are); published with the {@link RuleSet} that holds the rule.
     */
    private List<DnsServer> dnsServers = List.of();
    private boolean dnsFallback;
    /** Set only by {@link #withInterfaces}, like the DNS fields: the interfaces in order of preference. */
    private List<String> interfaces;
    private long waitMillis;
    /** {@link #followsLinks()}, computed once: the pinned path tests this field and nothing else. */
    private boolean followsLinks;
    /** Set only by {@link #withSteering}, as the DNS servers are; null when the rule has none. */
    private SourceAddress source;
    private SocketMark mark;

    /**
     * Starts a rule; {@link Builder#pin}, {@link Builder#outbound} (pin, allow or deny) or {@link Builder#inbound}
     * says what it is.
     *
     * @param index  0-based position in the config
     * @param origin {@code file:line} of the rule, for messages
     */
    public static Builder named(String name, int index, String origin) {
        return new Builder(name, index, origin);
    }

    /**
     * What a rule matches, and how a failed pin ends; every part defaults to "any" (no hosts or cidrs, every port
     * and protocol, every caller) and on-error to fail-open. An outbound rule needs hosts or cidrs, an inbound one
     * cidrs or ports. Not thread-safe; one rule at a time.
     */
    public static final class Builder {
        private final String name;
        private final int index;
        private final String origin;
        private List<HostPattern> hosts = List.of();
        private List<Cidr> cidrs = List.of();
        private PortSet ports = PortSet.ALL;
        private Set<Protocol> protocols = EnumSet.allOf(Protocol.class);
        private List<CallerPattern> callers = List.of();
        private OnError onError = OnError.FAIL_OPEN;

        private Builder(String name, int index, String origin) {
            this.name = name;
            this.index = index;
            this.origin = origin;
        }

        public Builder hosts(List<HostPattern> patterns) {
            this.hosts = patterns;
            return this;
        }

        public Builder cidrs(List<Cidr> blocks) {
            this.cidrs = blocks;
            return this;
        }

        public Builder ports(PortSet set) {
            this.ports = set;
            return this;
        }

        /** Non-empty. */
        public Builder protocols(Set<Protocol> set) {
            this.protocols = set;
            return this;
        }

        /** The classes that open the sockets the rule is for; empty for every caller. Outbound rules only. */
        public Builder callers(List<CallerPattern> patterns) {
            this.callers = patterns;
            return this;
        }

        /** What a failed pin does (already resolved against the global default). */
        public Builder onError(OnError value) {
            this.onError = value;
            return this;
        }

        /**
         * An outbound rule that pins to {@code interfaceName}; null when a source address or mark alone steers it
         * ({@link Rule#withSteering}).
         */
        public Rule pin(String interfaceName) {
            return outbound(Action.PIN, interfaceName);
        }

        /**
         * An outbound rule with the action the config gives (allow, deny or pin); {@code interfaceName} only with
         * {@link Action#PIN}.
         */
        public Rule outbound(Action action, String interfaceName) {
            return new Rule(name, index, interfaceName, origin, hosts, cidrs, ports, protocols, action, onError,
                    callers, Direction.OUTBOUND);
        }

        /**
         * An inbound rule: it pins listening sockets whose local address is in the cidrs (any, when none) and whose
         * port is in the ports to {@code interfaceName}; it has no hosts and no callers.
         */
        public Rule inbound(String interfaceName) {
            return new Rule(name, index, interfaceName, origin, hosts, cidrs, ports, protocols, Action.PIN, onError,
                    callers, Direction.INBOUND);
        }
    }

    private Rule(String name, int index, String interfaceName, String origin, List<HostPattern> hosts,
                 List<Cidr> cidrs, PortSet ports, Set<Protocol> protocols, Action action, OnError onError,
                 List<CallerPattern> callers, Direction direction) {
        this.direction = Objects.requireNonNull(direction, "direction");
        if (direction == Direction.INBOUND && (action != Action.PIN || !callers.isEmpty())) {
            throw new IllegalArgumentException("inbound rule " + name + " must pin and has no callers");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.index = index;
        this.action = Objects.requireNonNull(action, "action");
        this.onError = Objects.requireNonNull(onError, "onError");
        this.callers = List.copyOf(callers);
        if (interfaceName != null && action != Action.PIN) {
            // A pin rule without one has a source or a mark (withSteering; ConfigReader requires one of the three).
            throw new IllegalArgumentException("rule " + name + ": an interface goes with action pin, and only there");
        }
        this.interfaceName = interfaceName;
        this.interfaces = interfaceName == null ? List.of() : List.of(interfaceName);
        this.origin = Objects.requireNonNull(origin, "origin");
        this.hostPatterns = List.copyOf(hosts);
        this.cidrList = List.copyOf(cidrs);
        this.hostTexts = asText(hostPatterns);
        this.cidrTexts = asText(cidrList);
        this.ports = Objects.requireNonNull(ports, "ports");
        if (direction == Direction.INBOUND && !hostPatterns.isEmpty()) {
            throw new IllegalArgumentException("inbound rule " + name + " has hosts");
        }
        if (direction == Direction.INBOUND && cidrList.isEmpty() && ports.isAll()) {
            throw new IllegalArgumentException("inbound rule " + name + " has neither cidrs nor ports");
        }
        if (direction == Direction.OUTBOUND && hostPatterns.isEmpty() && cidrList.isEmpty()) {
            throw new IllegalArgumentException("rule " + name + " has neither hosts nor cidrs");
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("rule " + name + " has no protocols");
        }
        this.protocols = Collections.unmodifiableSet(EnumSet.copyOf(protocols));

        this.hostArray = hostPatterns.toArray(new HostPattern[0]);
        // Loops, not streams, here and in asText: a config's rules are built once, in premain, by the interpreter,
        // where a stream pipeline costs tens of microseconds (docs/dev/performance.md, Startup).
        List<Cidr> ipv4 = new ArrayList<>();
        List<Cidr> ipv6 = new ArrayList<>();
        for (Cidr cidr : cidrList) {
            (cidr.isIpv4() ? ipv4 : ipv6).add(cidr);
        }
        this.ipv4Cidrs = ipv4.toArray(new Cidr[0]);
        this.ipv6Cidrs = ipv6.toArray(new Cidr[0]);
        int mask = 0;
        for (Protocol protocol : protocols) {
            mask |= bit(protocol);
        }
        this.protocolMask = mask;
    }

    /** The name of the rule that stands for {@code default-action}. */
    public static final String DEFAULT_NAME = "(default)";

    /**
     * The rule for sockets that no rule matches: {@code default-action} with {@code default-interface}. It matches
     * every destination but is never part of a {@link RuleSet}; the pinning code falls back to it.
     *
     * @param origin where {@code default-action} is written, or a note that it is built in
     */
    public static Rule byDefault(Action action, String interfaceName, OnError onError, String origin) {
        return new Rule(DEFAULT_NAME, -1, interfaceName, origin, List.of(),
                List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), PortSet.ALL, EnumSet.allOf(Protocol.class),
                action, onError, List.of(), Direction.OUTBOUND);
    }

    /**
     * This rule with DNS servers: the names its {@code hosts} match are resolved by asking {@code servers} over
     * {@link #interfaceName()} (see {@code io.ifpin.dns.NameResolution}).
     *
     * @param fallBack the rule itself says {@code on-error = fail-open}: when none of its servers answers, the system
     *                 resolver may answer instead
     */
    public Rule withDns(List<DnsServer> servers, boolean fallBack) {
        Rule copy = copy();
        copy.dnsServers = List.copyOf(servers);
        copy.dnsFallback = fallBack;
        return copy;
    }

    /**
     * This pin rule with interfaces in order of preference (the first is {@link #interfaceName()}) and a time to wait
     * for one of them to become usable (0: do not wait). See {@code io.ifpin.link.InterfaceChoice}.
     */
    public Rule withInterfaces(List<String> preferred, long waitForInterfaceMillis) {
        if (action != Action.PIN || preferred.isEmpty() || !preferred.get(0).equals(interfaceName)
                || waitForInterfaceMillis < 0) {
            throw new IllegalArgumentException("rule " + name + ": interfaces " + preferred + " for " + target());
        }
        Rule copy = copy();
        copy.interfaces = List.copyOf(preferred);
        copy.waitMillis = waitForInterfaceMillis;
        copy.followsLinks = preferred.size() > 1 || waitForInterfaceMillis > 0;
        return copy;
    }

    /** This rule as if it named only {@code other} of its interfaces: for reports per interface of a list. */
    public Rule forInterface(String other) {
        if (!interfaces.contains(other)) {
            throw new IllegalArgumentException("rule " + name + " does not list " + other);
        }
        Rule copy = new Rule(name, index, other, origin, hostPatterns, cidrList, ports, protocols, action, onError,
                callers, direction);
        copy.source = source;
        copy.mark = mark;
        return copy;
    }

    /** The interfaces to pin to, in order of preference: one for most rules, none unless the action is pin. */
    public List<String> interfaces() {
        return interfaces;
    }

    /** How long a socket waits for one of {@link #interfaces()} to become usable; 0 when it does not wait. */
    public long waitForInterfaceMillis() {
        return waitMillis;
    }

    /**
     * True when the interface used depends on link state: more than one interface, or a wait. Such a rule's sockets
     * take the interface the link monitor chose; the others pin to {@link #interfaceName()} as they always did.
     */
    public boolean followsLinks() {
        return followsLinks;
    }

    /**
     * This rule with a source address and/or a firewall mark (either may be null): a pinned socket also gets them,
     * before it connects or sends ({@code io.ifpin.pin.SocketSteerer}).
     */
    public Rule withSteering(SourceAddress source, SocketMark mark) {
        if (action != Action.PIN) {
            throw new IllegalArgumentException("rule " + name + ": source and mark go with action pin");
        }
        Rule copy = copy();
        copy.source = source;
        copy.mark = mark;
        return copy;
    }

    /**
     * This rule with every optional part (DNS, interface list and wait, source and mark): each {@code with...} sets
     * its own part on the copy, so none drops another's.
     */
    private Rule copy() {
        Rule copy = new Rule(name, index, interfaceName, origin, hostPatterns, cidrList, ports, protocols, action,
                onError, callers, direction);
        copy.dnsServers = dnsServers;
        copy.dnsFallback = dnsFallback;
        copy.interfaces = interfaces;
        copy.waitMillis = waitMillis;
        copy.followsLinks = followsLinks;
        copy.source = source;
        copy.mark = mark;
        return copy;
    }

    /** The source address a pinned socket binds, or null. */
    public SourceAddress source() {
        return source;
    }

    /** The firewall mark a pinned socket gets, or null. */
    public SocketMark mark() {
        return mark;
    }

    /** True when a pinned socket gets a source address or a mark (beyond its interface, if any). */
    public boolean steers() {
        return source != null || mark != null;
    }

    /** The rule's DNS servers; empty when its names go to the system resolver. */
    public List<DnsServer> dnsServers() {
        return dnsServers;
    }

    public boolean hasDns() {
        return !dnsServers.isEmpty();
    }

    /** When the rule's DNS servers do not answer, the system resolver may (the rule's own on-error = fail-open). */
    public boolean dnsFallback() {
        return dnsFallback;
    }

    /**
     * For name lookups: true when this rule would refuse every socket to a name its hosts match (deny, whatever the
     * port, protocol and caller), so the lookup itself can be refused.
     */
    public boolean deniesEveryUseOfItsHosts() {
        return action == Action.DENY && direction == Direction.OUTBOUND && callers.isEmpty() && ports.isAll()
                && protocols.size() == Protocol.values().length;
    }

    /** True when one of the rule's host patterns matches {@code host} (for name lookups, where no address is known). */
    public boolean matchesHostName(String host) {
        return matchesHost(host);
    }

    public String name() {
        return name;
    }

    /** 0-based position in the config; -1 for {@link #byDefault the default rule}. */
    public int index() {
        return index;
    }

    /** The interface to pin to; null unless {@link #action()} is {@link Action#PIN}, and for a pin rule with only a source or a mark. */
    public String interfaceName() {
        return interfaceName;
    }

    public Action action() {
        return action;
    }

    public OnError onError() {
        return onError;
    }

    /** The caller patterns; empty when the rule applies whoever opens the socket. */
    public List<CallerPattern> callers() {
        return callers;
    }

    public boolean hasCallers() {
        return !callers.isEmpty();
    }

    /** True when the rule has no callers, or {@code callerClass} (null when unknown) matches one of them. */
    public boolean matchesCaller(String callerClass) {
        if (callers.isEmpty()) {
            return true;
        }
        for (CallerPattern pattern : callers) {
            if (pattern.matches(callerClass)) {
                return true;
            }
        }
        return false;
    }

    /** {@code file:line} where the rule is written. */
    public String origin() {
        return origin;
    }

    /** Host patterns as written, for logs. */
    public List<String> hosts() {
        return hostTexts;
    }

    /** CIDRs as written, for logs. */
    public List<String> cidrs() {
        return cidrTexts;
    }

    public PortSet ports() {
        return ports;
    }

    public Set<Protocol> protocols() {
        return protocols;
    }

    public Direction direction() {
        return direction;
    }

    public boolean isInbound() {
        return direction == Direction.INBOUND;
    }

    /**
     * For an inbound rule: true when a listener bound to {@code local:port} is covered. A wildcard bind
     * ({@code 0.0.0.0}, {@code ::}) is matched only by a rule without cidrs, or with a CIDR that contains the
     * wildcard address (such as {@code 0.0.0.0/0}).
     */
    boolean matchesListener(InetAddress local, int port) {
        if (!isInbound() || !ports.contains(port) || (protocolMask & bit(Protocol.TCP)) == 0) {
            return false;
        }
        if (cidrList.isEmpty()) {
            return true;
        }
        for (Cidr cidr : cidrList) {
            if (cidr.contains(local)) {
                return true;
            }
        }
        return false;
    }

    boolean hasHosts() {
        return hostArray.length > 0;
    }

    /** The parsed host patterns, for {@link RuleSet}'s index. */
    List<HostPattern> hostPatterns() {
        return hostPatterns;
    }

    /** The parsed CIDRs, for {@link RuleSet}'s index. */
    List<Cidr> cidrList() {
        return cidrList;
    }

    /**
     * True if this rule applies to a socket to {@code address:port}. {@code requestedHost} is the
     * name the application asked for (see {@link HostNames#requestedName}), null for a literal.
     */
    public boolean matches(InetAddress address, String requestedHost, int port, Protocol protocol) {
        if (address instanceof Inet4Address) {
            return matchesIpv4(Cidr.ipv4Bits(address), requestedHost, port, protocol);
        }
        byte[] bytes = address.getAddress();
        if (Addresses.isIpv4Mapped(bytes)) {
            return matchesIpv4(Cidr.toInt(bytes, 12), requestedHost, port, protocol);
        }
        return matchesIpv6(Cidr.high64(bytes), Cidr.low64(bytes), requestedHost, port, protocol);
    }

    boolean matchesIpv4(int address, String requestedHost, int port, Protocol protocol) {
        if (!appliesTo(port, protocol)) {
            return false;
        }
        for (Cidr cidr : ipv4Cidrs) {
            if (cidr.containsIpv4(address)) {
                return true;
            }
        }
        return matchesHost(requestedHost);
    }

    boolean matchesIpv6(long high, long low, String requestedHost, int port, Protocol protocol) {
        if (!appliesTo(port, protocol)) {
            return false;
        }
        for (Cidr cidr : ipv6Cidrs) {
            if (cidr.containsIpv6(high, low)) {
                return true;
            }
        }
        return matchesHost(requestedHost);
    }

    private boolean appliesTo(int port, Protocol protocol) {
        return (protocolMask & bit(protocol)) != 0 && ports.contains(port);
    }

    private boolean matchesHost(String requestedHost) {
        if (requestedHost == null) {
            return false;
        }
        for (HostPattern pattern : hostArray) {
            if (pattern.matches(requestedHost)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Condition by condition, why this rule does or does not apply (for {@code explain}; allocates).
     *
     * @param port the destination port, or -1 when unknown (the port condition then counts as met)
     */
    public RuleEvaluation evaluate(InetAddress address, String requestedHost, int port, Protocol protocol) {
        String matchedHost = null;
        for (HostPattern pattern : hostArray) {
            if (pattern.matches(requestedHost)) {
                matchedHost = pattern.toString();
                break;
            }
        }
        String matchedCidr = null;
        for (Cidr cidr : cidrList) {
            if (cidr.contains(address)) {
                matchedCidr = cidr.toString();
                break;
            }
        }
        boolean portAllowed = port < 0 || ports.contains(port);
        return new RuleEvaluation(this, matchedHost, matchedCidr, portAllowed, protocols.contains(protocol));
    }

    /** One short line, e.g. {@code corp-api: hosts [*.corp.example] -> b0} or {@code ...: cidrs [...] -> deny}. */
    public String describe() {
        if (index < 0) {
            return name + ": sockets no rule matches -> " + target();
        }
        StringJoiner out = new StringJoiner(" ", name + ": ", " -> " + target());
        if (!hostPatterns.isEmpty()) {
            out.add("hosts " + hostPatterns);
        }
        if (!cidrList.isEmpty()) {
            out.add("cidrs " + cidrList);
        }
        if (!ports.isAll()) {
            out.add("ports [" + ports + "]");
        }
        if (protocols.size() < Protocol.values().length) {
            out.add("protocols " + protocols.stream().map(Protocol::label).toList());
        }
        if (!callers.isEmpty()) {
            out.add("callers " + callers);
        }
        if (direction == Direction.INBOUND) {
            out.add("direction inbound");
        }
        if (onError == OnError.FAIL_CLOSED && action == Action.PIN) {
            out.add("(fail-closed)");
        }
        if (waitMillis > 0) {
            out.add("(waits " + waitMillis + " ms for an interface)");
        }
        if (!dnsServers.isEmpty()) {
            out.add("dns " + dnsServers + (dnsFallback ? " (falls back to the system resolver)" : ""));
        }
        return out.toString();
    }

    /**
     * The interface(s) for a pin rule, else the action: {@code b0}, {@code [tun0, eth1]}, {@code allow}, {@code deny};
     * with a source or a mark, those too: {@code b0 source 203.0.113.7 mark 16 (0x10)}, {@code mark 16 (0x10)}.
     */
    public String target() {
        if (action != Action.PIN) {
            return action.label();
        }
        String named = interfaces.isEmpty() ? null : interfaces.size() == 1 ? interfaceName : interfaces.toString();
        if (!steers()) {
            return named;
        }
        StringJoiner out = new StringJoiner(" ");
        if (named != null) {
            out.add(named);
        }
        if (source != null) {
            out.add("source " + source);
        }
        if (mark != null) {
            out.add("mark " + mark);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    private static int bit(Protocol protocol) {
        return 1 << protocol.ordinal();
    }

    private static List<String> asText(List<?> values) {
        String[] texts = new String[values.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = values.get(i).toString();
        }
        return List.of(texts);
    }
}
