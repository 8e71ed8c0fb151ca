package io.ifpin.config;

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
    // One class for the four parsers of list elements: not four anonymous classes, nor method references (each a
    // class spun in premain; docs/dev/architecture.md, "Startup order").
    private static final Function<String, HostPattern> HOST_PATTERN = new ElementParser<>(ElementParser.HOST_PATTERN);
    private static final Function<String, Cidr> CIDR = new ElementParser<>(ElementParser.CIDR);
    private static final Function<String, CallerPattern> CALLER_PATTERN =
            new ElementParser<>(ElementParser.CALLER_PATTERN);
    private static final Function<String, DnsServer> DNS_SERVER = new ElementParser<>(ElementParser.DNS_SERVER);

    /** The keys allowed in each rule; ConfigurationDocTest checks the docs. */
    static final List<String> RULE_KEYS = List.of("name", "hosts", "cidrs", "ports", "protocols", "interface",
            "action", "on-error", "callers", "direction", "dns", "wait-for-interface", "source", "mark");

    /**
     * A wait longer than this holds a connect so long that it looks like a hang; a mistake, not a policy. In minutes,
     * not a Duration constant: a config without a wait then initialises no Duration (nor BigInteger) in premain.
     */
    static final long MAX_WAIT_FOR_INTERFACE_MINUTES = 10;

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

    List<Rule> readRules(ConfigNode value, OnError onError, long waitForInterface) {
        if (value == null) {
            return List.of();
        }
        ConfigNode list = expectList(value, "ifpin.rules",
                "rules = [ { hosts = [\"api.corp.example\"], interface = \"tun0\" } ]");
        if (list == null) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        for (int index = 0; index < list.size(); index++) {
            String path = "ifpin.rules[" + index + "]";
            ConfigNode rule = expectObject(list.elements().get(index), path,
                    "write each rule as { cidrs = [\"192.0.2.0/24\"], interface = \"tun0\" }");
            Rule parsed = rule == null ? null : readRule(rule, index, path, onError, waitForInterface);
            if (parsed != null) {
                rules.add(parsed);
            }
        }
        return rules;
    }

    /** Null if the rule has problems (they are recorded). */
    private Rule readRule(ConfigNode rule, int index, String path, OnError globalOnError, long globalWait) {
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
        ConfigNode onErrorValue = rule.get("on-error");
        OnError onError = isAbsent(onErrorValue) ? globalOnError
                : readOnError(onErrorValue, path + ".on-error", globalOnError);
        List<CallerPattern> callers = readStrings(rule, path, "callers", CALLER_PATTERN,
                "callers = [\"com.vendor.legacy.*\"]");
        ConfigNode callersValue = rule.get("callers");
        if (callersValue != null && callersValue.isList() && callersValue.isEmpty()) {
            problems.addValue(callersValue, path + ".callers", "the list is empty, so the rule never matches",
                    "remove callers to match every caller, or list packages, e.g. callers = [\"com.vendor.legacy.*\"]");
        }
        Direction direction = readDirection(rule, path);
        SourceAddress source = action == null ? null : readSource(rule, path, name, action, direction);
        SocketMark mark = action == null ? null : readMark(rule, path, name, action, direction);
        List<DnsServer> dns = readDns(rule, path, name, action, direction);
        long defaultWait = action == Action.PIN && direction == Direction.OUTBOUND ? globalWait : 0;
        ConfigNode waitValue = rule.get("wait-for-interface");
        long wait = isAbsent(waitValue) ? defaultWait
                : readWaitForInterface(waitValue, path + ".wait-for-interface", defaultWait);
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
    private List<DnsServer> readDns(ConfigNode rule, String rulePath, String name, Action action,
                                    Direction direction) {
        String example = "dns = [\"192.0.2.53\", \"[2001:db8::53]:5353\"]";
        List<DnsServer> servers = readStrings(rule, rulePath, "dns", DNS_SERVER, example);
        ConfigNode value = rule.get("dns");
        if (isAbsent(value)) {
            return servers;
        }
        String path = rulePath + ".dns";
        if (value.isList() && value.isEmpty()) {
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
    private SourceAddress readSource(ConfigNode rule, String rulePath, String name, Action action,
                                     Direction direction) {
        ConfigNode value = rule.get("source");
        if (isAbsent(value)) {
            return null;
        }
        String path = rulePath + ".source";
        if (!steeringAllowed(value, path, name, "source", action, direction, "a listener keeps the local address the"
                + " application binds it to (match that address with cidrs)")) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        if (value.isString()) {
            String text = elementString(value, path, SOURCE_EXAMPLE);
            if (text == null) {
                return null;
            }
            texts.add(text);
        } else {
            ConfigNode list = expectList(value, path, SOURCE_EXAMPLE);
            if (list == null) {
                return null;
            }
            for (int i = 0; i < list.size(); i++) {
                String text = elementString(list.elements().get(i), path + "[" + i + "]", SOURCE_EXAMPLE);
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
    private SocketMark readMark(ConfigNode rule, String rulePath, String name, Action action, Direction direction) {
        ConfigNode value = rule.get("mark");
        if (isAbsent(value)) {
            return null;
        }
        String path = rulePath + ".mark";
        if (!steeringAllowed(value, path, name, "mark", action, direction, "ifpin marks the sockets an application"
                + " opens (mark a service's replies with nftables: meta mark set)")) {
            return null;
        }
        try {
            if (value.isNumber()) {
                Number number = value.number();
                if (number.doubleValue() != Math.rint(number.doubleValue())) {
                    throw new InvalidValueException("not a whole number", "write mark = 16 or mark = \"0x10\"");
                }
                return SocketMark.of(number.longValue());
            }
            if (value.isString()) {
                return SocketMark.parse(value.string());
            }
            problems.addValue(value, path, "must be a number or a \"0x10\" string, not " + value.typeName(),
                    "write mark = 16 or mark = \"0x10\"");
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
        }
        return null;
    }

    /** source and mark go with outbound pin rules; records the problem and returns false otherwise. */
    private boolean steeringAllowed(ConfigNode value, String path, String name, String key, Action action,
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
    private Direction readDirection(ConfigNode rule, String rulePath) {
        ConfigNode value = rule.get("direction");
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
    private void checkInbound(ConfigNode rule, String path, String name, PortSet ports, Set<Protocol> protocols,
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
    private Action readAction(ConfigNode rule, String rulePath) {
        ConfigNode value = rule.get("action");
        if (isAbsent(value)) {
            return Action.PIN;
        }
        String path = rulePath + ".action";
        String text = string(value, path, "action = deny");
        if (text == null) {
            return null;
        }
        try {
            return Action.parse(text);
        } catch (InvalidValueException e) {
            problems.addValue(value, path, e.problem(), e.fix());
            return null;
        }
    }

    private String readName(ConfigNode rule, int index, String rulePath) {
        String path = rulePath + ".name";
        ConfigNode value = rule.get("name");
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
        ConfigNode.Origin origin = text != null ? value.origin() : rule.origin();
        // The first use is kept as (path, line) and its text built only for a duplicate: this runs once per rule.
        RuleNameUse firstUse = ruleNames.putIfAbsent(name, new RuleNameUse(rulePath, origin.line()));
        if (firstUse != null) {
            String subject = named ? path + " = " + Problems.render(value)
                    : rulePath + " (default name \"" + defaultName + "\")";
            problems.add(origin, subject, "the rule name is already used by " + firstUse.path() + " (line "
                    + firstUse.line() + ")", "give each rule a unique name");
        }
        return name;
    }

    /** A list of strings, each parsed by {@code parser}; empty if absent. */
    private <T> List<T> readStrings(ConfigNode rule, String rulePath, String key, Function<String, T> parser,
                                    String example) {
        ConfigNode value = rule.get(key);
        if (isAbsent(value)) {
            return List.of(); // before the path: a rule is read in premain, where each string built costs
        }
        String path = rulePath + "." + key;
        ConfigNode list = optionalList(value, key, path, example);
        if (list == null) {
            return List.of();
        }
        List<T> parsed = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigNode element = list.elements().get(i);
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

    private PortSet readPorts(ConfigNode rule, String rulePath) {
        ConfigNode value = rule.get("ports");
        if (isAbsent(value)) {
            return PortSet.ALL;
        }
        String path = rulePath + ".ports";
        ConfigNode list = optionalList(value, "ports", path, PORTS_EXAMPLE);
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
            ConfigNode element = list.elements().get(i);
            String elementPath = path + "[" + i + "]";
            try {
                if (element.isNumber()) {
                    ranges.add(PortSet.Range.single(wholeNumber(element.number())));
                } else if (element.isString()) {
                    ranges.add(PortSet.Range.parse(element.string()));
                } else {
                    problems.addValue(element, elementPath, "must be a port number or a \"low-high\" string, not "
                            + element.typeName(), "write e.g. " + PORTS_EXAMPLE);
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

    private Set<Protocol> readProtocols(ConfigNode rule, String rulePath) {
        ConfigNode value = rule.get("protocols");
        if (isAbsent(value)) {
            return EnumSet.allOf(Protocol.class);
        }
        String path = rulePath + ".protocols";
        ConfigNode list = optionalList(value, "protocols", path, "protocols = [tcp]");
        Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
        if (list == null) {
            return EnumSet.allOf(Protocol.class);
        }
        if (list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so the rule never matches",
                    "remove protocols to match both tcp and udp, or list tcp and/or udp");
        }
        for (int i = 0; i < list.size(); i++) {
            ConfigNode element = list.elements().get(i);
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

    OnError readOnError(ConfigNode value, String path, OnError fallback) {
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
    private List<String> readInterfaces(ConfigNode rule, String rulePath, Action action) {
        ConfigNode value = rule.get("interface");
        if (value == null || !value.isList() || action != Action.PIN) {
            String single = readInterface(rule, rulePath, action);
            return single == null ? (action == Action.PIN ? null : List.of()) : List.of(single);
        }
        String path = rulePath + ".interface";
        ConfigNode list = value;
        if (list.isEmpty()) {
            problems.addValue(value, path, "the list is empty, so the rule has no interface to pin to",
                    "list the interfaces in order of preference, e.g. interface = [\"tun0\", \"eth1\"]");
            return null;
        }
        List<String> names = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < list.size(); i++) {
            String elementPath = path + "[" + i + "]";
            ConfigNode element = list.elements().get(i);
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

    /** {@code wait-for-interface}: off, or a duration of at most {@link #MAX_WAIT_FOR_INTERFACE_MINUTES}; in milliseconds. */
    long readWaitForInterface(ConfigNode value, String path, long fallback) {
        if (isAbsent(value)) {
            return fallback;
        }
        if (value.isString() && "off".equals(value.string())) {
            return 0;
        }
        String fix = "write e.g. wait-for-interface = 10s, or off";
        Duration wait = HoconUnits.duration(value);
        if (wait == null) {
            problems.addValue(value, path, "not a duration", fix);
            return fallback;
        }
        boolean tooLong = wait.compareTo(Duration.ofMinutes(MAX_WAIT_FOR_INTERFACE_MINUTES)) > 0;
        if (wait.isNegative() || wait.isZero() || tooLong) {
            problems.addValue(value, path, wait.isNegative() || wait.isZero() ? "must be longer than 0"
                    : "longer than " + MAX_WAIT_FOR_INTERFACE_MINUTES * 60 + " s (a connect held that long"
                    + " looks like a hang)", fix);
            return fallback;
        }
        return Math.max(1, wait.toMillis());
    }

    /** A list of interfaces, and a wait, are for outbound pin rules without dns. */
    private void checkInterfaceLifecycle(ConfigNode rule, String path, Action action, Direction direction,
                                         List<String> interfaces, List<DnsServer> dns) {
        ConfigNode wait = rule.get("wait-for-interface");
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
    private String readInterface(ConfigNode rule, String rulePath, Action action) {
        String path = rulePath + ".interface";
        ConfigNode value = rule.get("interface");
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

    String readInterfaceName(ConfigNode value, String path) {
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
    private static boolean isEmptyList(ConfigNode value) {
        return isAbsent(value) || (value.isList() && value.isEmpty());
    }

    /** Parses one string of a rule's list: a host pattern, a CIDR, a caller pattern or a DNS server. */
    private static final class ElementParser<T> implements Function<String, T> {
        static final int HOST_PATTERN = 0;
        static final int CIDR = 1;
        static final int CALLER_PATTERN = 2;
        static final int DNS_SERVER = 3;

        private final int kind;

        ElementParser(int kind) {
            this.kind = kind;
        }

        @Override
        @SuppressWarnings("unchecked") // each constant above is typed by the kind it is made with
        public T apply(String text) {
            switch (kind) {
                case HOST_PATTERN:
                    return (T) HostPattern.parse(text);
                case CIDR:
                    return (T) Cidr.parse(text);
                case CALLER_PATTERN:
                    return (T) CallerPattern.parse(text);
                default:
                    return (T) DnsServer.parse(text);
            }
        }
    }
}
