package io.ifpin.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything ifpin does with Typesafe Config, the full HOCON parse: a file the fast parser declines ({@code include},
 * substitutions, JSON and properties files, anything outside its subset, and every config with a problem) is parsed
 * here, merged with reference.conf when it has substitutions, resolved, and converted into {@link ConfigNode}s with the
 * same origins, which {@link ConfigReader} reads as it reads the fast parser's. No other class of the config path
 * links a Typesafe type, so a config the fast parser reads loads none of Typesafe's classes
 * (docs/dev/architecture.md, "Config loading").
 */
final class TypesafeHocon {
    private static final String REFERENCE = "/reference.conf";
    private static final String SYNTAX_FIX = "correct the HOCON syntax there; double-quote values that contain"
            + " * : / such as \"*.corp.example\" and IPv6 addresses";

    private TypesafeHocon() {
    }

    /**
     * The {@code ifpin} block of {@code text}, read from {@code file} (its includes resolved relative to it, missing
     * plain ones reported to {@code warnings}), or null when the file is empty.
     */
    static ConfigNode parseFile(Path file, String text, List<String> warnings) throws InvalidConfigException {
        String source = file.toString();
        Config user;
        try {
            user = ConfigFactory.parseString(text,
                    FileIncluder.options(ConfigParseOptions.defaults(), file, text, warnings));
        } catch (ConfigException e) {
            throw translate(e, source);
        }
        return ifpinBlock(user, source, false);
    }

    /**
     * The {@code ifpin} block of {@code hocon}, named {@code originName} in messages, or null when the text is empty.
     *
     * @param mergeReference merge reference.conf even when the text has no substitutions (tests)
     */
    static ConfigNode parse(String hocon, String originName, boolean mergeReference) throws InvalidConfigException {
        Config user;
        try {
            user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(originName));
        } catch (ConfigException e) {
            throw translate(e, originName);
        }
        return ifpinBlock(user, originName, mergeReference);
    }

    private static ConfigNode ifpinBlock(Config user, String source, boolean mergeReference)
            throws InvalidConfigException {
        ConfigObject root = user.root();
        if (!root.containsKey("ifpin") && !root.isEmpty()) {
            // Likely a file written for something else, or settings without their block: applying
            // no rules silently would leave every socket unpinned.
            ConfigValue first = root.values().stream()
                    .min(Comparator.comparingInt(value -> value.origin().lineNumber())).orElseThrow();
            Problems problems = new Problems(source);
            problems.add(origin(first.origin(), source), null, "no `ifpin { ... }` block (found only "
                    + root.keySet() + ")", "put the agent settings inside ifpin { ... }; keys outside it are ignored");
            throw problems.toException();
        }
        Config resolved = user;
        if (mergeReference || !user.isResolved()) {
            // Substitutions may refer to reference.conf's keys. Without any, it is not parsed at all: that costs
            // about 30 ms of a cold JVM's premain, and the reader's defaults are the same (ConfigDefaultsTest).
            try {
                resolved = user.withFallback(reference()).resolve();
            } catch (ConfigException e) {
                throw translate(e, source);
            }
        }
        ConfigValue ifpin = resolved.root().get("ifpin");
        return ifpin == null ? null : node(ifpin, source);
    }

    /**
     * The agent's own defaults only. In the agent, classes and resources come from an isolated
     * loader whose parent is the platform loader, so this finds the agent jar's copy and never
     * an application's reference.conf.
     */
    private static Config reference() {
        URL url = TypesafeHocon.class.getResource(REFERENCE);
        if (url == null) {
            throw new IllegalStateException("the ifpin agent is missing its " + REFERENCE);
        }
        return ConfigFactory.parseURL(url, ConfigParseOptions.defaults().setAllowMissing(false));
    }

    // ---- Typesafe's values as ConfigNodes ----

    /**
     * {@code value}, resolved, as a {@link ConfigNode}: an object's keys in Typesafe's order (problems found on one
     * line are reported in that order), each origin as {@link #origin} gives it.
     */
    static ConfigNode node(ConfigValue value, String source) {
        ConfigNode.Origin origin = origin(value.origin(), source);
        if (value instanceof ConfigObject object) {
            List<String> keys = new ArrayList<>(object.keySet());
            Map<String, ConfigNode> fields = new HashMap<>();
            for (String key : keys) {
                fields.put(key, node(object.get(key), source));
            }
            return ConfigNode.object(keys, fields, origin);
        }
        if (value instanceof ConfigList list) {
            List<ConfigNode> elements = new ArrayList<>(list.size());
            for (ConfigValue element : list) {
                elements.add(node(element, source));
            }
            return ConfigNode.list(elements, origin);
        }
        Object unwrapped = value.unwrapped();
        if (unwrapped == null) {
            return ConfigNode.nullValue(origin);
        }
        if (unwrapped instanceof String text) {
            return ConfigNode.string(text, origin);
        }
        if (unwrapped instanceof Boolean bool) {
            return ConfigNode.bool(bool, origin);
        }
        return ConfigNode.number((Number) unwrapped, origin);
    }

    /**
     * Where Typesafe says a value is, as problem lines name it: its file, else its description without the line
     * ({@code "<file>: <line>"}: text parsed from a string, which every file is, see ConfigLoader.parseFile), else,
     * for a merge of values from two places or no description, {@code source}. Null for null.
     */
    static ConfigNode.Origin origin(ConfigOrigin origin, String source) {
        if (origin == null) {
            return null;
        }
        String file = origin.filename();
        if (file == null) {
            String description = origin.description();
            String lineSuffix = ": " + origin.lineNumber();
            if (origin.lineNumber() >= 0 && description.endsWith(lineSuffix)) {
                // The common case, without a regex: the pattern below would remove exactly this suffix.
                description = description.substring(0, description.length() - lineSuffix.length());
            } else {
                description = LineSuffix.PATTERN.matcher(description).replaceFirst("");
            }
            file = description.isEmpty() || description.startsWith("merge of ") ? source : description;
        }
        return new ConfigNode.Origin(file, origin.lineNumber());
    }

    /** A line range ({@code ": 3-7"}, values merged within one file); compiled only when one is met. */
    private static final class LineSuffix {
        static final Pattern PATTERN = Pattern.compile(": [0-9]+(-[0-9]+)?$");
    }

    // ---- durations and sizes in the forms HoconUnits leaves to Typesafe ----

    /** {@code Config.getDuration} of a string value, or null when it refuses it. */
    static Duration duration(String text) {
        try {
            return ConfigFactory.empty().withValue("v", ConfigValueFactory.fromAnyRef(text)).getDuration("v");
        } catch (ConfigException e) {
            return null;
        }
    }

    /** {@code Config.getBytes} of a string value, or null when it refuses it. */
    static Long bytes(String text) {
        try {
            return ConfigFactory.empty().withValue("v", ConfigValueFactory.fromAnyRef(text)).getBytes("v");
        } catch (ConfigException e) {
            return null;
        }
    }

    // ---- Typesafe's exceptions as problem lines ----

    /** HOCON syntax errors, unresolved substitutions and I/O errors, in the same format as other problems. */
    private static InvalidConfigException translate(ConfigException e, String source) {
        String detail = e.getMessage();
        if (e.origin() != null && detail.startsWith(e.origin().description() + ": ")) {
            detail = detail.substring(e.origin().description().length() + 2); // the location is printed anyway
        }
        String problem;
        String fix;
        if (e instanceof FileIncluder.IncludeProblem include) {
            problem = include.problem;
            fix = include.fix;
        } else if (e instanceof ConfigException.UnresolvedSubstitution) { // a subclass of Parse: test first
            problem = detail;
            fix = "define the referenced key or environment variable, or write ${?NAME} to make it optional";
        } else if (e instanceof ConfigException.Parse) {
            problem = "HOCON syntax error: " + detail;
            fix = SYNTAX_FIX;
        } else if (e instanceof ConfigException.IO) {
            problem = "cannot read the file: " + detail;
            fix = ConfigFile.PATH_FIX;
        } else {
            problem = detail;
            fix = "correct the config there";
        }
        Problems problems = new Problems(source);
        problems.add(origin(e.origin(), source), null, problem, fix);
        return problems.toException();
    }
}
