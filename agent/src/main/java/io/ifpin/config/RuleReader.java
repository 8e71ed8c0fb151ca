package io.ifpin.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.ifpin.dns.DnsServer;
import io.ifpin.rules.Action;
import io.ifpin.rules.CallerPattern;
import io.ifpin.rules.Cidr;
import io.ifpin.rules.Direction;
import io.ifpin.rules.HostPattern;
import io.ifpin.rules.InterfaceNames;
import io.ifpin.rules.InvalidValueException;
import io.ifpin.rules.OnError;
import io.ifpin.rules.PortSet;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.SocketMark;
import io.ifpin.rules.SourceAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code ifpin.rules}: each rule's keys (hosts, cidrs, ports, protocols, callers, direction, action, interface
 * or a list of them, wait-for-interface, dns, source and mark, on-error) into a {@link Rule}, with every problem
 * recorded. {@link ConfigReader} also asks it for the values a rule's keys share with the top level (on-error,
 * wait-for-interface, an interface name).
 */
final class RuleReader extends ConfigValueReader {
    // Anonymous classes, not method references: the config is read in premain, where each lambda would spin classes
    // (docs/dev/architecture.md, "Startup order").
    private static final Function<String, HostPattern> HOST_PATTERN = new Function<>() {
        @Override
        public HostPattern apply(String text) {
            return HostPattern.parse(text);
        }
    };
    private static final Function<String, Cidr> CIDR = new Function<>() {
        @Override
        public Cidr apply(String text) {
            return Cidr.parse(text);
        }
    };
    private static final Function<String, CallerPattern> CALLER_PATTERN = new Function<>() {
        @Override
        public CallerPattern apply(String text) {
            return CallerPattern.parse(text);
        }
    };
    private static final Function<String, DnsServer> DNS_SERVER = new Function<>() {
        @Override
        public DnsServer apply(String text) {
            return DnsServer.parse(text);
        }
    };

    /** The keys allowed in each rule; ConfigurationDocTest checks the docs. */
    static final List<String> RULE_KEYS = List.of("name", "hosts", "cidrs", "ports", "protocols", "interface",
            "action", "on-error", "callers", "direction", "dns", "wait-for-interface", "source", "mark");

    /** A wait longer than this holds a connect so long that it looks like a hang; a mistake, not a policy. */
    static final Duration MAX_WAIT_FOR_INTERFACE = Duration.ofMinutes(10);

    private static final String EVERY_DESTINATION =
            "add cidrs = [\"0.0.0.0/0\", \"::/0\"] to match every destination, or hosts = [...]";
    private static final String PORTS_EXAMPLE = "ports = [443, \"8000-8099\"]";
    private static final String SOURCE_EXAMPLE = "source = \"203.0.113.7\", or source = [\"203.0.113.7\", \"2001:db8::7\"]";

    /** Rule name to where it was first used, to report duplicates. */
    private final Map<String, RuleNameUse> ruleNames = new HashMap<>();

    private record RuleNameUse(String path, int line) {
    }

    RuleReader(Problems problems) {
        super(problems);
    }

    // ---- ifpin.rules ----

    List<Rule> readRules(ConfigValue value, OnError onError, long waitForInterface) {
        if (value == null) {
            return List.of();
        }
        ConfigList list = expectList(value, "ifpin.rules",
                "rules = [ { hosts = [\"api.corp.example\"], interface = \"tun0\" } ]");
        if (list == null) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        for (int index = 0; index < list.size(); index++) {
            String path = "ifpin.rules[" + index + "]";
            ConfigObject rule = expectObject(list.get(index), path,
                    "write each rule as { cidrs = [\"192.0.2.0/24\"], interface = \"tun0\" }");
            Rule parsed = rule == null ? null : readRule(rule, index, path, onError, waitForInterface);
            if (parsed != null) {
                rules.add(parsed);
            }
        }
        return rules;
    }

    /** Null if the rule has problems (they are recorded). */
    private Rule readRule(ConfigObject rule, int index, String path, OnError globalOnError, long globalWait) {
        int problemsBefore = problems.count();
        checkKeys(rule, path, RULE_KEYS);
        String name = readName(rule, index, path);
        List<HostPattern> hosts = readStrings(rule, path, "hosts", HOST_PATTERN,
                "hosts = [\"api.corp.example\", \"*.corp.example\"]");
        List<Cidr> cidrs = readStrings(rule, path, "cidrs", CIDR,
                "cidrs = [\"192.0.2.0/24\", \"2001:db8::/32\"]");
        PortSet ports = readPorts(rule, path);
        Set<Protocol> protocols = readProtocols(rule, path);
        Action action = readAction(rule, path);
        List<String> interfaces = action == null ? null : readInterfaces(rule, path, action);
        String interfaceName = interfaces == null || interfaces.isEmpty() ? null : interfaces.get(0);
        OnError onError = readOnError(rule.get("on-error"), path + ".on-error", globalOnError);
        List<CallerPattern> callers = readStrings(rule, path, "callers", CALLER_PATTERN,
                "callers = [\"com.vendor.legacy.*\"]");
        if (rule.get("callers") instanceof ConfigList list && list.isEmpty()) {
            problems.addValue(rule.get("callers"), path + ".callers", "the list is empty, so the rule never matches",
                    "remove callers to match every caller, or list packages, e.g. callers = [\"com.vendor.legacy.*\"]");
        }
        Direction direction = readDirection(rule, path);
        SourceAddress source = action == null ? null : readSource(rule, path, name, action, direction);
        SocketMark mark = action == null ? null : readMark(rule, path, name, action, direction);
        List<DnsServer> dns = readDns(rule, path, name, action, direction);
        long wait = readWaitForInterface(rule.get("wait-for-interface"), path + ".wait-for-interface",
                action == Action.PIN && direction == Direction.OUTBOUND ? globalWait : 0);
        checkInterfaceLifecycle(rule, path, action, direction, interfaces, dns);
        if (direction == Direction.INBOUND) {
            checkInbound(rule, path, name, ports, protocols, action);
        } else if (isEmptyList(rule.get("hosts")) && isEmptyList(rule.get("cidrs"))) {
            problems.add(rule.origin(), path, "rule \"" + name + "\" has neither hosts nor cidrs, so it matches no"
                    + " destination", EVERY_DESTINATION);
        }
        if (problems.count() > problemsBefore) {
            return null;
        }
        Rule.Builder built = Rule.named(name, index, problems.location(rule.origin())).hosts(hosts).cidrs(cidrs)
                .ports(ports).protocols(protocols).callers(callers).onError(onError);
        Rule parsed = direction == Direction.INBOUND ? built.inbound(interfaceName)
                : built.outbound(action, interfaceName);
        if (interfaces != null && (interfaces.size() > 1 || wait > 0)) {
            parsed = parsed.withInterfaces(interfaces, wait);
        }
        if (source != null || mark != null) {
            parsed = parsed.withSteering(source, mark);
        }
        // Only the rule's own on-error lets a lookup fall back: the global default must not open a DNS leak.
        return dns.isEmpty() ? parsed : parsed.withDns(dns, onError == OnError.FAIL_OPEN && !isAbsent(rule.get("on-error")));
    }

    /**
     * {@code dns}: the servers that resolve the names the rule's {@code hosts} match, over its interface. Only for an
     * outbound pin rule with hosts and without callers (a lookup has a name, but neither a port nor a caller yet).
     */
    private List<DnsServer> readDns(ConfigObject rule, String rulePath, String name, Action action,
                                    Direction direction) {
        String example = "dns = [\"192.0.2.53\", \"[2001:db8::53]:5353\"]";
        List<DnsServer> servers = readStrings(rule, rulePath, "dns", DNS_SERVER, example);
        ConfigValue value = rule.get("dns");
        if (isAbsent(value)) {
            return servers;
        }
        String path = rulePath + ".dns";
        if (value instanceof ConfigList list && list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so no server would answer",
                    "remove dns to use the system resolver, or list servers, e.g. " + example);
        } else if (isEmptyList(rule.get("hosts"))) {
            problems.addValue(value, path, "rule \"" + name + "\" has no hosts; dns resolves the names that a rule's"
                    + " hosts match", "add hosts = [\"*.corp.example\"] (the names its servers answer for)");
        } else if (action != null && action != Action.PIN) {
            problems.addValue(value, path, "rule \"" + name + "\" has action " + action.label() + "; dns goes with an"
                    + " interface, whose link the queries take", "remove dns, or write interface = \"tun0\" instead of"
                    + " action");
        } else if (direction == Direction.INBOUND) {
            problems.addValue(value, path, "rule \"" + name + "\" is inbound; dns is for the names an application"
                    + " connects to", "remove dns");
        } else if (isAbsent(rule.get("interface"))) {
            problems.addValue(value, path, "rule \"" + name + "\" has no interface; dns queries go out over the"
                    + " rule's interface", "add interface = \"tun0\" (the link the servers answer on), or remove dns");
        } else if (!isEmptyList(rule.get("callers"))) {
            problems.addValue(value, path, "rule \"" + name + "\" has callers, but a name is looked up (and cached by"
                    + " the JDK) for every caller at once", "remove callers, or put dns on a rule without callers for"
                    + " the same hosts");
        }
        return servers;
    }

    /**
     * {@code source}: one address, or a list with at most one IPv4 and one IPv6 address; the socket's family picks.
     * Only for outbound pin rules: a listener's local address is the one the application binds (an inbound rule
     * matches it with cidrs), and an allow or deny rule touches no socket.
     */
    private SourceAddress readSource(ConfigObject rule, String rulePath, String name, Action action,
                                     Direction direction) {
        ConfigValue value = rule.get("source");
        if (isAbsent(value)) {
            return null;
        }
        String path = rulePath + ".source";
        if (!steeringAllowed(value, path, name, "source", action, direction, "a listener keeps the local address the"
                + " application binds it to (match that address with cidrs)")) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        if (value.valueType() == ConfigValueType.STRING) {
            String text = elementString(value, path, SOURCE_EXAMPLE);
            if (text == null) {
                return null;
            }
            texts.add(text);
        } else {
            ConfigList list = expectList(value, path, SOURCE_EXAMPLE);
            if (list == null) {
                return null;
            }
            for (int i = 0; i < list.size(); i++) {
                String text = elementString(list.get(i), path + "[" + i + "]", SOURCE_EXAMPLE);
                if (text == null) {
                    return null;
                }
                texts.add(text);
            }
        }
        try {
            return SourceAddress.parse(texts);
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
            return null;
        }
    }

    /** {@code mark}: a number or a {@code "0x10"} string, 1 to 0xFFFFFFFF; outbound pin rules only. */
    private SocketMark readMark(ConfigObject rule, String rulePath, String name, Action action, Direction direction) {
        ConfigValue value = rule.get("mark");
        if (isAbsent(value)) {
            return null;
        }
        String path = rulePath + ".mark";
        if (!steeringAllowed(value, path, name, "mark", action, direction, "ifpin marks the sockets an application"
                + " opens (mark a service's replies with nftables: meta mark set)")) {
            return null;
        }
        try {
            if (value.valueType() == ConfigValueType.NUMBER) {
                Number number = (Number) value.unwrapped();
                if (number.doubleValue() != Math.rint(number.doubleValue())) {
                    throw new InvalidValueException("not a whole number", "write mark = 16 or mark = \"0x10\"");
                }
                return SocketMark.of(number.longValue());
            }
            if (value.valueType() == ConfigValueType.STRING) {
                return SocketMark.parse((String) value.unwrapped());
            }
            problems.addValue(value, path, "must be a number or a \"0x10\" string, not " + typeName(value),
                    "write mark = 16 or mark = \"0x10\"");
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
        }
        return null;
    }

    /** source and mark go with outbound pin rules; records the problem and returns false otherwise. */
    private boolean steeringAllowed(ConfigValue value, String path, String name, String key, Action action,
                                    Direction direction, String inboundReason) {
        if (action != Action.PIN) {
            problems.addValue(value, path, "an " + action.label() + " rule pins nothing, so the " + key + " would be"
                    + " ignored", "remove " + key + ", or remove action (or write action = pin) to pin");
            return false;
        }
        if (direction == Direction.INBOUND) {
            problems.addValue(value, path, "rule \"" + name + "\" is inbound, and " + key + " is for outbound sockets: "
                    + inboundReason, "remove " + key + " from the inbound rule");
            return false;
        }
        return true;
    }

    /** {@code direction}: {@code outbound} (default) or {@code inbound}; null (recorded) when invalid. */
    private Direction readDirection(ConfigObject rule, String rulePath) {
        ConfigValue value = rule.get("direction");
        if (isAbsent(value)) {
            return Direction.OUTBOUND;
        }
        String path = rulePath + ".direction";
        String text = string(value, path, "direction = inbound");
        if (text == null) {
            return null;
        }
        try {
            return Direction.parse(text);
        } catch (IllegalArgumentException e) {
            problems.addValue(value, path, e.getMessage(), "write direction = outbound (the default: sockets that"
                    + " connect or send) or direction = inbound (listening sockets)");
            return null;
        }
    }

    /**
     * An inbound rule matches listeners by their local address ({@code cidrs}) and port ({@code ports}); a host
     * name says nothing about which interface a connection arrives on, so {@code hosts} is refused.
     */
    private void checkInbound(ConfigObject rule, String path, String name, PortSet ports, Set<Protocol> protocols,
                              Action action) {
        if (action != null && action != Action.PIN) {
            problems.add(rule.get("action").origin(), path + ".action", "inbound rule \"" + name + "\" has action "
                    + action.label() + "; an inbound rule pins listeners to its interface", "remove action (an"
                    + " inbound rule pins), or remove direction = inbound");
        }
        if (!isEmptyList(rule.get("callers"))) {
            problems.add(rule.get("callers").origin(), path + ".callers", "inbound rule \"" + name + "\" has callers;"
                    + " listeners are matched by local address and port only", "remove callers");
        }
        if (protocols != null && !protocols.contains(Protocol.TCP)) {
            problems.add(rule.get("protocols").origin(), path + ".protocols", "inbound rule \"" + name + "\" is for"
                    + " listening sockets, which are TCP; UDP sockets have no listen step", "remove protocols, or"
                    + " write protocols = [tcp]");
        }
        if (!isEmptyList(rule.get("hosts"))) {
            problems.add(rule.get("hosts").origin(), path + ".hosts", "rule \"" + name + "\" is inbound, and an"
                    + " inbound rule matches listening sockets by their local address and port, not by host name",
                    "remove hosts; use ports = [8443] (and optionally cidrs = [\"198.51.100.2/32\"], the address the"
                            + " listener binds to)");
        }
        if (isEmptyList(rule.get("cidrs")) && (ports == null || ports.isAll())) {
            problems.add(rule.origin(), path, "inbound rule \"" + name + "\" has neither ports nor cidrs, so it"
                    + " would pin every listener of the application", "add ports = [8443] (the port the service"
                    + " listens on) and optionally cidrs = [\"198.51.100.2/32\"] (the address it binds to)");
        }
    }

    /** The rule's action: {@code pin} when absent (the interface then says where); null after a problem. */
    private Action readAction(ConfigObject rule, String rulePath) {
        String path = rulePath + ".action";
        ConfigValue value = rule.get("action");
        String text = isAbsent(value) ? null : string(value, path, "action = deny");
        if (text == null) {
            return isAbsent(value) ? Action.PIN : null;
        }
        try {
            return Action.parse(text);
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
            return null;
        }
    }

    private String readName(ConfigObject rule, int index, String rulePath) {
        String path = rulePath + ".name";
        ConfigValue value = rule.get("name");
        String defaultName = "rule-" + (index + 1);
        String text = isAbsent(value) ? null : string(value, path, "name = \"corp-api\"");
        boolean named = text != null && !text.isBlank();
        if (text != null && !named) {
            problems.addValue(value, path, "the name is empty",
                    "write a name, e.g. name = \"corp-api\", or remove it to get \"" + defaultName + "\"");
        }
        if (named && !isPrintable(text)) {
            // Names are echoed in every log line about the rule, in the audit log and over JMX.
            problems.addValue(value, path, "contains a control or other non-printable character",
                    "use letters, digits, '-', '_' and '.', e.g. name = \"corp-api\"");
        }
        String name = named ? text : defaultName;
        ConfigOrigin origin = text != null ? value.origin() : rule.origin();
        // The first use is kept as (path, line) and its text built only for a duplicate: this runs once per rule.
        RuleNameUse firstUse = ruleNames.putIfAbsent(name, new RuleNameUse(rulePath, origin.lineNumber()));
        if (firstUse != null) {
            String subject = named ? path + " = " + Problems.render(value)
                    : rulePath + " (default name \"" + defaultName + "\")";
            problems.add(origin, subject, "the rule name is already used by " + firstUse.path() + " (line "
                    + firstUse.line() + ")", "give each rule a unique name");
        }
        return name;
    }

    /** A list of strings, each parsed by {@code parser}; empty if absent. */
    private <T> List<T> readStrings(ConfigObject rule, String rulePath, String key, Function<String, T> parser,
                                    String example) {
        String path = rulePath + "." + key;
        ConfigList list = optionalList(rule.get(key), key, path, example);
        if (list == null) {
            return List.of();
        }
        List<T> parsed = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            String elementPath = path + "[" + i + "]";
            String text = elementString(element, elementPath, example);
            if (text != null) {
                try {
                    parsed.add(parser.apply(text));
                } catch (InvalidValueException e) {
                    problems.addValue(element, elementPath, e.problem(), e.fix());
                }
            }
        }
        return parsed;
    }

    private PortSet readPorts(ConfigObject rule, String rulePath) {
        String path = rulePath + ".ports";
        ConfigValue value = rule.get("ports");
        ConfigList list = optionalList(value, "ports", path, PORTS_EXAMPLE);
        if (list == null) {
            return PortSet.ALL;
        }
        if (list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so the rule never matches",
                    "remove ports to match every port, or list some, e.g. " + PORTS_EXAMPLE);
            return PortSet.ALL;
        }
        List<PortSet.Range> ranges = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            String elementPath = path + "[" + i + "]";
            try {
                if (element.valueType() == ConfigValueType.NUMBER) {
                    ranges.add(PortSet.Range.single(wholeNumber((Number) element.unwrapped())));
                } else if (element.valueType() == ConfigValueType.STRING) {
                    ranges.add(PortSet.Range.parse((String) element.unwrapped()));
                } else {
                    problems.addValue(element, elementPath, "must be a port number or a \"low-high\" string, not "
                            + typeName(element), "write e.g. " + PORTS_EXAMPLE);
                }
            } catch (InvalidValueException e) {
                problems.addValue(element, elementPath, e.problem(), e.fix());
            }
        }
        return ranges.size() == list.size() ? PortSet.of(ranges) : PortSet.ALL;
    }

    private static long wholeNumber(Number number) {
        double value = number.doubleValue();
        if (value != Math.rint(value)) {
            throw new InvalidValueException("not a whole number", "write a port like 443");
        }
        return number.longValue();
    }

    private Set<Protocol> readProtocols(ConfigObject rule, String rulePath) {
        String path = rulePath + ".protocols";
        ConfigValue value = rule.get("protocols");
        ConfigList list = optionalList(value, "protocols", path, "protocols = [tcp]");
        Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
        if (list == null) {
            return EnumSet.allOf(Protocol.class);
        }
        if (list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so the rule never matches",
                    "remove protocols to match both tcp and udp, or list tcp and/or udp");
        }
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            String elementPath = path + "[" + i + "]";
            String text = elementString(element, elementPath, "protocols = [tcp]");
            if (text != null) {
                try {
                    protocols.add(Protocol.parse(text));
                } catch (IllegalArgumentException e) {
                    problems.addValue(element, elementPath, "unknown protocol", "use tcp or udp");
                }
            }
        }
        return protocols.isEmpty() ? EnumSet.allOf(Protocol.class) : protocols;
    }

    OnError readOnError(ConfigValue value, String path, OnError fallback) {
        String text = isAbsent(value) ? null : string(value, path, "on-error = fail-closed");
        if (text == null) {
            return fallback;
        }
        try {
            return OnError.parse(text);
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
            return fallback;
        }
    }

    // ---- interface lists and wait-for-interface (issue 15) ----

    /**
     * A pin rule's interfaces in order of preference: {@code interface = "tun0"} or {@code interface = ["tun0",
     * "eth1"]}. Empty for allow and deny rules; null after a problem.
     */
    private List<String> readInterfaces(ConfigObject rule, String rulePath, Action action) {
        ConfigValue value = rule.get("interface");
        if (!(value instanceof ConfigList list) || action != Action.PIN) {
            String single = readInterface(rule, rulePath, action);
            return single == null ? (action == Action.PIN ? null : List.of()) : List.of(single);
        }
        String path = rulePath + ".interface";
        if (list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so the rule has no interface to pin to",
                    "list the interfaces in order of preference, e.g. interface = [\"tun0\", \"eth1\"]");
            return null;
        }
        List<String> names = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < list.size(); i++) {
            String elementPath = path + "[" + i + "]";
            ConfigValue element = list.get(i);
            String name = elementString(element, elementPath, "interface = [\"tun0\", \"eth1\"]");
            name = name == null ? null : readInterfaceName(element, elementPath);
            if (name == null) {
                valid = false;
            } else if (names.contains(name)) {
                problems.addValue(element, elementPath, "is listed twice",
                        "list each interface once, in order of preference");
                valid = false;
            } else {
                names.add(name);
            }
        }
        return valid ? List.copyOf(names) : null;
    }

    /** {@code wait-for-interface}: off, or a duration of at most {@link #MAX_WAIT_FOR_INTERFACE}; in milliseconds. */
    long readWaitForInterface(ConfigValue value, String path, long fallback) {
        if (isAbsent(value)) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.STRING && "off".equals(value.unwrapped())) {
            return 0;
        }
        String fix = "write e.g. wait-for-interface = 10s, or off";
        try {
            Duration wait = ConfigFactory.empty().withValue("v", value).getDuration("v");
            if (wait.isNegative() || wait.isZero() || wait.compareTo(MAX_WAIT_FOR_INTERFACE) > 0) {
                problems.addValue(value, path, wait.isNegative() || wait.isZero() ? "must be longer than 0"
                        : "longer than " + MAX_WAIT_FOR_INTERFACE.toSeconds() + " s (a connect held that long"
                        + " looks like a hang)", fix);
                return fallback;
            }
            return Math.max(1, wait.toMillis());
        } catch (ConfigException e) {
            problems.addValue(value, path, "not a duration", fix);
            return fallback;
        }
    }

    /** A list of interfaces, and a wait, are for outbound pin rules without dns. */
    private void checkInterfaceLifecycle(ConfigObject rule, String path, Action action, Direction direction,
                                         List<String> interfaces, List<DnsServer> dns) {
        ConfigValue wait = rule.get("wait-for-interface");
        boolean list = interfaces != null && interfaces.size() > 1;
        if (!isAbsent(wait) && action != null && action != Action.PIN) {
            problems.addValue(wait, path + ".wait-for-interface", "an " + action.label() + " rule pins nothing, so"
                    + " there is no interface to wait for", "remove wait-for-interface");
        }
        if (direction == Direction.INBOUND && (list || !isAbsent(wait))) {
            problems.addValue(list ? rule.get("interface") : wait, path + (list ? ".interface" : ".wait-for-interface"),
                    "an inbound rule pins listeners to one interface, once, when they listen",
                    list ? "write one interface, e.g. interface = \"" + interfaces.get(0) + "\"" : "remove"
                            + " wait-for-interface");
        }
        if (list && !dns.isEmpty()) {
            problems.addValue(rule.get("interface"), path + ".interface", "a rule with dns asks its servers over one"
                    + " interface; a list of interfaces is not supported with dns", "write one interface, e.g."
                    + " interface = \"" + interfaces.get(0) + "\", or move dns to a rule of its own");
        }
    }

    /** The interface of a pin rule; for allow and deny rules, a problem if one is given. */
    private String readInterface(ConfigObject rule, String rulePath, Action action) {
        String path = rulePath + ".interface";
        ConfigValue value = rule.get("interface");
        if (action != Action.PIN) {
            if (!isAbsent(value)) {
                problems.addValue(value, path, "an " + action.label() + " rule pins nothing, so the interface would"
                        + " be ignored", "remove interface, or remove action (or write action = pin) to pin");
            }
            return null;
        }
        if (isAbsent(value)) {
            if (!isAbsent(rule.get("source")) || !isAbsent(rule.get("mark"))) {
                return null; // steered by its source address or mark alone
            }
            problems.add(value == null ? rule.origin() : value.origin(), path, "required key is missing",
                    "add interface = \"<device>\", the interface to pin matching sockets to, e.g."
                            + " interface = \"tun0\" (`ip link` lists them), or source = \"203.0.113.7\" (the"
                            + " address the peer sees) or mark = 16 (for `ip rule add fwmark 16 table 100`); or"
                            + " action = allow / action = deny");
            return null;
        }
        return readInterfaceName(value, path);
    }

    String readInterfaceName(ConfigValue value, String path) {
        String name = string(value, path, "interface = \"tun0\"");
        if (name == null) {
            return null;
        }
        if (!isPrintable(name)) {
            problems.addValue(value, path, "contains a control or other non-printable character",
                    "use the device name shown by `ip link`, e.g. interface = \"tun0\"");
            return null;
        }
        try {
            InterfaceNames.validate(name);
            return name;
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
            return null;
        }
    }

    /** Absent or {@code []}: a rule condition that contributes nothing. */
    private static boolean isEmptyList(ConfigValue value) {
        return isAbsent(value) || (value instanceof ConfigList list && list.isEmpty());
    }
}
