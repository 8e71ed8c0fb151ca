package io.ifpin.config;

import io.ifpin.log.LogLevel;
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
import io.ifpin.rules.RuleSet;
import io.ifpin.rules.SocketMark;
import io.ifpin.rules.SourceAddress;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns the resolved {@code ifpin} HOCON tree into an {@link IfpinConfig}, collecting every problem.
 *
 * <p>It walks {@link ConfigValue}s rather than using {@code Config.getString()} and friends, because
 * only the values carry the origin (file and line) of each list element, and the getters stop at
 * the first error with messages that name no fix.
 */
final class ConfigReader {
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

    /** The keys allowed in {@code ifpin}, its sections and each rule; ConfigurationDocTest checks the docs. */
    static final List<String> ROOT_KEYS = List.of("mode", "log", "on-error", "default-action", "default-interface",
            "reload-interval", "wait-for-interface", "audit", "metrics", "rules");
    static final List<String> LOG_KEYS = List.of("level", "file");
    static final List<String> AUDIT_KEYS = List.of("file", "max-size", "max-files", "queue-size");
    static final List<String> METRICS_KEYS = List.of("jmx");
    static final List<String> RULE_KEYS = List.of("name", "hosts", "cidrs", "ports", "protocols", "interface",
            "action", "on-error", "callers", "direction", "dns", "wait-for-interface", "source", "mark");

    /** Below this a reload check would cost more than it is worth; {@code off} turns reloading off. */
    private static final Duration MIN_RELOAD_INTERVAL = Duration.ofMillis(100);
    private static final long MIN_AUDIT_FILE_SIZE = 4096;
    /** A wait longer than this holds a connect so long that it looks like a hang; a mistake, not a policy. */
    static final Duration MAX_WAIT_FOR_INTERFACE = Duration.ofMinutes(10);

    private static final LogSettings DEFAULT_LOG = new LogSettings(LogLevel.INFO, Optional.empty());
    private static final String EVERY_DESTINATION =
            "add cidrs = [\"0.0.0.0/0\", \"::/0\"] to match every destination, or hosts = [...]";
    private static final String PORTS_EXAMPLE = "ports = [443, \"8000-8099\"]";
    private static final String SOURCE_EXAMPLE = "source = \"203.0.113.7\", or source = [\"203.0.113.7\", \"2001:db8::7\"]";

    private final String source;
    private final Problems problems;
    /** Rule name to where it was first used, to report duplicates. */
    private final Map<String, RuleNameUse> ruleNames = new HashMap<>();

    private record RuleNameUse(String path, int line) {
    }

    ConfigReader(String source, Problems problems) {
        this.source = source;
        this.problems = problems;
    }

    /**
     * Reads the {@code ifpin} block. Every key may be absent (Java null): the defaults here are reference.conf's,
     * which the loader merges only when the file has substitutions (ConfigDefaultsTest keeps the two equal).
     */
    IfpinConfig read(ConfigValue ifpin) throws InvalidConfigException {
        ConfigObject root = expectObject(ifpin, "ifpin", "write ifpin { rules = [ ... ] }");
        if (root == null) {
            problems.throwIfAny();
        }
        checkKeys(root, "ifpin", ROOT_KEYS);
        LogSettings log = readLog(root.get("log"));
        OnError onError = readOnError(root.get("on-error"), "ifpin.on-error", OnError.FAIL_OPEN);
        Rule defaultRule = readDefault(root, onError);
        Optional<Duration> reloadInterval = readReloadInterval(root.get("reload-interval"));
        AuditSettings audit = readAudit(root.get("audit"));
        boolean jmx = readMetrics(root.get("metrics"));
        long waitForInterface = readWaitForInterface(root.get("wait-for-interface"), "ifpin.wait-for-interface", 0);
        List<Rule> rules = readRules(root.get("rules"), onError, waitForInterface);
        Mode mode = readMode(root.get("mode"));
        problems.throwIfAny();
        return new IfpinConfig(source, log, RuleSet.of(rules), defaultRule, reloadInterval, audit, jmx, mode);
    }

    private Mode readMode(ConfigValue value) {
        String text = isAbsent(value) ? null : string(value, "ifpin.mode", "mode = observe");
        if (text == null) {
            return Mode.ENFORCE;
        }
        try {
            return Mode.parse(text);
        } catch (IllegalArgumentException e) {
            problems.addValue(value, "ifpin.mode", "unknown mode", "use one of " + Mode.ALLOWED);
            return Mode.ENFORCE;
        }
    }

    // ---- ifpin.on-error, default-action, default-interface, reload-interval ----

    private OnError readOnError(ConfigValue value, String path, OnError fallback) {
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

    private Rule readDefault(ConfigObject root, OnError onError) {
        ConfigValue actionValue = root.get("default-action");
        ConfigValue interfaceValue = root.get("default-interface");
        Action action = Action.ALLOW;
        String actionText = isAbsent(actionValue) ? null
                : string(actionValue, "ifpin.default-action", "default-action = deny");
        if (actionText != null) {
            try {
                action = Action.parse(actionText);
            } catch (InvalidValueException e) {
                problems.addValue(actionValue, "ifpin.default-action", e.problem(), e.fix());
                return null;
            }
        }
        String interfaceName = null;
        if (action == Action.PIN) {
            if (isAbsent(interfaceValue)) {
                problems.addValue(actionValue, "ifpin.default-action", "pin needs an interface",
                        "add default-interface = \"<device>\", e.g. default-interface = \"eth1\"");
                return null;
            }
            interfaceName = readInterfaceName(interfaceValue, "ifpin.default-interface");
            if (interfaceName == null) {
                return null;
            }
        } else if (!isAbsent(interfaceValue)) {
            problems.addValue(interfaceValue, "ifpin.default-interface", "only used with default-action = pin"
                    + " (default-action is " + action.label() + ")",
                    "remove default-interface, or set default-action = pin");
            return null;
        }
        String origin = actionText == null ? "(built in: default-action = allow)"
                : problems.location(actionValue.origin());
        return Rule.byDefault(action, interfaceName, onError, origin);
    }

    private Optional<Duration> readReloadInterval(ConfigValue value) {
        String path = "ifpin.reload-interval";
        if (isAbsent(value) || (value.valueType() == ConfigValueType.STRING && "off".equals(value.unwrapped()))) {
            return Optional.empty();
        }
        try {
            Duration interval = ConfigFactory.empty().withValue("v", value).getDuration("v");
            if (interval.compareTo(MIN_RELOAD_INTERVAL) < 0) {
                problems.addValue(value, path, "shorter than " + MIN_RELOAD_INTERVAL.toMillis() + " ms",
                        "write e.g. reload-interval = 5s, or off");
                return Optional.empty();
            }
            return Optional.of(interval);
        } catch (ConfigException e) {
            problems.addValue(value, path, "not a duration", "write e.g. reload-interval = 5s, or off");
            return Optional.empty();
        }
    }

    // ---- ifpin.audit, ifpin.metrics ----

    private AuditSettings readAudit(ConfigValue value) {
        ConfigObject audit = optionalObject(value, "ifpin.audit", "write audit { file = \"/var/log/ifpin-audit.jsonl\" }");
        if (audit == null) {
            return AuditSettings.OFF;
        }
        checkKeys(audit, "ifpin.audit", AUDIT_KEYS);
        Optional<Path> file = readPath(audit.get("file"), "ifpin.audit.file", "/var/log/ifpin-audit.jsonl");
        long maxSize = AuditSettings.OFF.maxSize();
        ConfigValue sizeValue = audit.get("max-size");
        if (!isAbsent(sizeValue)) {
            try {
                maxSize = ConfigFactory.empty().withValue("v", sizeValue).getBytes("v");
                if (maxSize < MIN_AUDIT_FILE_SIZE) {
                    problems.addValue(sizeValue, "ifpin.audit.max-size", "smaller than " + MIN_AUDIT_FILE_SIZE
                            + " bytes", "write e.g. max-size = 10M");
                }
            } catch (ConfigException e) {
                problems.addValue(sizeValue, "ifpin.audit.max-size", "not a size", "write e.g. max-size = 10M");
            }
        }
        int maxFiles = positiveInt(audit.get("max-files"), "ifpin.audit.max-files", AuditSettings.OFF.maxFiles(),
                "max-files = 5");
        int queueSize = positiveInt(audit.get("queue-size"), "ifpin.audit.queue-size",
                AuditSettings.OFF.queueSize(), "queue-size = 65536");
        return new AuditSettings(file, maxSize, maxFiles, queueSize);
    }

    private boolean readMetrics(ConfigValue value) {
        ConfigObject metrics = optionalObject(value, "ifpin.metrics", "write metrics { jmx = true }");
        if (metrics == null) {
            return true;
        }
        checkKeys(metrics, "ifpin.metrics", METRICS_KEYS);
        ConfigValue jmx = metrics.get("jmx");
        if (isAbsent(jmx)) {
            return true;
        }
        if (jmx.valueType() != ConfigValueType.BOOLEAN) {
            problems.addValue(jmx, "ifpin.metrics.jmx", "must be true or false, not " + typeName(jmx),
                    "write jmx = true or jmx = false");
            return true;
        }
        return (Boolean) jmx.unwrapped();
    }

    private int positiveInt(ConfigValue value, String path, int fallback, String example) {
        if (isAbsent(value)) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.NUMBER) {
            Number number = (Number) value.unwrapped();
            if (number.doubleValue() == Math.rint(number.doubleValue()) && number.longValue() >= 1
                    && number.longValue() <= Integer.MAX_VALUE) {
                return number.intValue();
            }
        }
        problems.addValue(value, path, "must be a whole number of at least 1", "write e.g. " + example);
        return fallback;
    }

    /** An optional file path: absent or null gives empty. */
    private Optional<Path> readPath(ConfigValue value, String path, String example) {
        String text = isAbsent(value) ? null
                : string(value, path, "file = \"" + example + "\", or file = null");
        if (text == null) {
            return Optional.empty();
        }
        try {
            if (text.isBlank()) {
                throw new InvalidPathException(text, "empty path");
            }
            if (!isPrintable(text)) {
                throw new InvalidPathException(text, "it contains a control or other non-printable character");
            }
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            problems.addValue(value, path, "not a usable path (" + e.getReason() + ")",
                    "write a file path, e.g. file = \"" + example + "\", or file = null for none");
            return Optional.empty();
        }
    }

    // ---- ifpin.log ----

    private LogSettings readLog(ConfigValue value) {
        ConfigObject log = optionalObject(value, "ifpin.log", "write log { level = info }");
        if (log == null) {
            return DEFAULT_LOG;
        }
        checkKeys(log, "ifpin.log", LOG_KEYS);

        LogLevel level = LogLevel.INFO;
        ConfigValue levelValue = log.get("level");
        String levelText = string(levelValue, "ifpin.log.level", "level = info");
        if (levelText != null) {
            try {
                level = LogLevel.parse(levelText);
            } catch (IllegalArgumentException e) {
                problems.addValue(levelValue, "ifpin.log.level", "unknown log level",
                        "use one of " + LogLevel.ALLOWED);
            }
        }

        Optional<Path> file = readPath(log.get("file"), "ifpin.log.file", "/var/log/ifpin.log");
        return new LogSettings(level, file);
    }

    // ---- ifpin.rules ----

    private List<Rule> readRules(ConfigValue value, OnError onError, long waitForInterface) {
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
        Rule parsed = new Rule(name, index, interfaceName, problems.location(rule.origin()), hosts, cidrs, ports,
                protocols, action, onError, callers, direction);
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
    private long readWaitForInterface(ConfigValue value, String path, long fallback) {
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

    private String readInterfaceName(ConfigValue value, String path) {
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

    // ---- shape checks; each records a problem and returns null when the value does not fit ----

    private void checkKeys(ConfigObject object, String path, List<String> known) {
        // keySet(), not entrySet(): Typesafe's entrySet() builds a HashSet of entries, hashing every value deeply,
        // which for the root is the whole config (a tenth of the read at 1,000 rules).
        for (String key : object.keySet()) {
            if (!known.contains(key)) {
                String closest = closestKey(key, known);
                problems.add(object.get(key).origin(), path + "." + key, "unknown key",
                        closest != null ? "did you mean `" + closest + "`?"
                                : "remove it; the keys allowed here are " + String.join(", ", known));
            }
        }
    }

    private ConfigObject expectObject(ConfigValue value, String path, String fix) {
        if (value instanceof ConfigObject object) {
            return object;
        }
        problems.addValue(value, path, "must be an object { ... }, not " + typeName(value), fix);
        return null;
    }

    /** Null when absent (the caller's default applies) or not an object (recorded); HOCON null is not absent. */
    private ConfigObject optionalObject(ConfigValue value, String path, String fix) {
        return value == null ? null : expectObject(value, path, fix);
    }

    private ConfigList expectList(ConfigValue value, String path, String fix) {
        if (value instanceof ConfigList list) {
            return list;
        }
        problems.addValue(value, path, "must be a list [ ... ], not " + typeName(value), "write " + fix);
        return null;
    }

    /** Null when absent; a single string gets a fix that wraps it in a list. */
    private ConfigList optionalList(ConfigValue value, String key, String path, String example) {
        if (isAbsent(value)) {
            return null;
        }
        if (value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER) {
            problems.addValue(value, path, "must be a list [ ... ], not " + typeName(value),
                    "write " + key + " = [" + Problems.render(value) + "]");
            return null;
        }
        return expectList(value, path, example);
    }

    /** Null when absent; otherwise the string, or null after recording that it is not one. */
    private String string(ConfigValue value, String path, String example) {
        if (value == null) {
            return null;
        }
        if (value.valueType() == ConfigValueType.STRING) {
            return (String) value.unwrapped();
        }
        problems.addValue(value, path, "must be a string, not " + typeName(value), "write e.g. " + example);
        return null;
    }

    /**
     * A list element that must be a string. Surrounding white space is rejected rather than trimmed: it
     * usually means a typo such as {@code "192.0.2.0/24 "} and would otherwise be invisible in messages.
     */
    private String elementString(ConfigValue element, String path, String example) {
        if (element.valueType() != ConfigValueType.STRING) {
            problems.addValue(element, path, "must be a string, not " + typeName(element), "write e.g. " + example);
            return null;
        }
        String text = (String) element.unwrapped();
        if (!text.equals(text.strip())) {
            problems.addValue(element, path, "has leading or trailing white space",
                    "write \"" + text.strip() + "\"");
            return null;
        }
        return text;
    }

    /** What ifpin echoes in its log lines must print as itself: see {@link Problems#escape}. */
    private static boolean isPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Problems.isPrintable(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Absent, or HOCON {@code null}, which the config may use to unset an optional key. */
    private static boolean isAbsent(ConfigValue value) {
        return value == null || value.valueType() == ConfigValueType.NULL;
    }

    /** Absent or {@code []}: a rule condition that contributes nothing. */
    private static boolean isEmptyList(ConfigValue value) {
        return isAbsent(value) || (value instanceof ConfigList list && list.isEmpty());
    }

    private static String typeName(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }

    /**
     * The known key closest to a misspelt one, or null if none is close. Distance counts insertions,
     * deletions, substitutions and swaps of neighbours, ignoring case; short keys allow only one edit
     * so that e.g. {@code ip} does not suggest {@code log}.
     */
    private static String closestKey(String key, List<String> known) {
        String lower = key.toLowerCase(Locale.ROOT);
        int allowed = lower.length() <= 4 ? 1 : 2;
        String best = null;
        int bestDistance = allowed + 1;
        for (String candidate : known) {
            int distance = editDistance(lower, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
