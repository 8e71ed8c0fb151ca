package io.ifpin.config;

import io.ifpin.log.LogLevel;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.ifpin.rules.Action;
import io.ifpin.rules.InvalidValueException;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Turns the resolved {@code ifpin} HOCON tree into an {@link IfpinConfig}, collecting every problem: the top-level
 * {@code ifpin.*} settings (mode, log, on-error, the default action and interface, reload-interval, audit, metrics,
 * wait-for-interface) here, each rule by {@link RuleReader}, single values by {@link ConfigValueReader}.
 */
final class ConfigReader extends ConfigValueReader {
    /**
     * The keys allowed in {@code ifpin} and its sections ({@link RuleReader#RULE_KEYS}: in each rule);
     * ConfigurationDocTest checks the docs.
     */
    static final List<String> ROOT_KEYS = List.of("mode", "log", "on-error", "default-action", "default-interface",
            "reload-interval", "wait-for-interface", "audit", "metrics", "rules");
    static final List<String> LOG_KEYS = List.of("level", "file");
    static final List<String> AUDIT_KEYS = List.of("file", "max-size", "max-files", "queue-size");
    static final List<String> METRICS_KEYS = List.of("jmx");

    /** Below this a reload check would cost more than it is worth; {@code off} turns reloading off. */
    private static final Duration MIN_RELOAD_INTERVAL = Duration.ofMillis(100);
    private static final long MIN_AUDIT_FILE_SIZE = 4096;

    private static final LogSettings DEFAULT_LOG = new LogSettings(LogLevel.INFO, Optional.empty());

    private final String source;
    private final RuleReader ruleReader;

    ConfigReader(String source, Problems problems) {
        super(problems);
        this.source = source;
        this.ruleReader = new RuleReader(problems);
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
        OnError onError = ruleReader.readOnError(root.get("on-error"), "ifpin.on-error", OnError.FAIL_OPEN);
        Rule defaultRule = readDefault(root, onError);
        Optional<Duration> reloadInterval = readReloadInterval(root.get("reload-interval"));
        AuditSettings audit = readAudit(root.get("audit"));
        boolean jmx = readMetrics(root.get("metrics"));
        long waitForInterface = ruleReader.readWaitForInterface(root.get("wait-for-interface"),
                "ifpin.wait-for-interface", 0);
        List<Rule> rules = ruleReader.readRules(root.get("rules"), onError, waitForInterface);
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
            interfaceName = ruleReader.readInterfaceName(interfaceValue, "ifpin.default-interface");
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
}
