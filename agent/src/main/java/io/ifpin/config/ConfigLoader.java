package io.ifpin.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * Loads an ifpin HOCON config: the user's file over the agent's own {@code reference.conf}.
 *
 * <p>Never {@code ConfigFactory.load()} or {@code defaultReference()}: the agent runs inside someone
 * else's JVM, and those would read the application's {@code application.conf} and every
 * {@code reference.conf} on its class path.
 *
 * <p>Every problem found is reported at once in one {@link InvalidConfigException}; see there for
 * the message format.
 */
public final class ConfigLoader {
    private static final String REFERENCE = "/reference.conf";
    private static final String PATH_FIX =
            "check the path given to -javaagent:...=<path>, -Difpin.config or IFPIN_CONFIG";
    private static final String SYNTAX_FIX = "correct the HOCON syntax there; double-quote values that contain"
            + " * : / such as \"*.corp.example\" and IPv6 addresses";

    private ConfigLoader() {
    }

    public static IfpinConfig load(Path file) throws InvalidConfigException {
        return load(file, true);
    }

    /** @param fastParse try {@link FastHoconParser} first; false for tests that compare it with the full parse */
    static IfpinConfig load(Path file, boolean fastParse) throws InvalidConfigException {
        String source = file.toString();
        String unreadable = unreadableReason(file);
        if (unreadable != null) {
            Problems problems = new Problems(source);
            problems.add(null, null, unreadable, Files.exists(file) && !Files.isDirectory(file)
                    ? "make it readable by the user running the JVM, or " + PATH_FIX : PATH_FIX);
            throw problems.toException();
        }
        Optional<IfpinConfig> fast = fastParse ? readFast(FastHoconParser.parseFile(file), source, false)
                : Optional.empty();
        if (fast.isPresent()) {
            return fast.get();
        }
        Config user;
        try {
            user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw translate(e, source);
        }
        return build(user, source, false);
    }

    /** For tests and for later features (reload): parse HOCON text; originName is used in messages as the file name. */
    public static IfpinConfig parse(String hocon, String originName) throws InvalidConfigException {
        return parse(hocon, originName, false);
    }

    /** The config as the reference-merged load reads it, whether or not the file needs it: for tests. */
    static IfpinConfig parseWithReference(String hocon, String originName) throws InvalidConfigException {
        return parse(hocon, originName, true);
    }

    /** The full Typesafe Config parse only: for tests that compare it with the fast path. */
    static IfpinConfig parseFullOnly(String hocon, String originName) throws InvalidConfigException {
        return parse(hocon, originName, false, false);
    }

    private static IfpinConfig parse(String hocon, String originName, boolean mergeReference)
            throws InvalidConfigException {
        return parse(hocon, originName, mergeReference, true);
    }

    private static IfpinConfig parse(String hocon, String originName, boolean mergeReference, boolean fastParse)
            throws InvalidConfigException {
        Optional<IfpinConfig> fast = fastParse ? readFast(FastHoconParser.parse(hocon,
                ConfigOriginFactory.newSimple(originName)), originName, mergeReference) : Optional.empty();
        if (fast.isPresent()) {
            return fast.get();
        }
        Config user;
        try {
            user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(originName));
        } catch (ConfigException e) {
            throw translate(e, originName);
        }
        return build(user, originName, mergeReference);
    }

    /**
     * The config read from the fast parser's values, or empty when it declined the text or the config has a problem:
     * then the full Typesafe Config parse reads it again and reports every problem in its words
     * (docs/architecture.md, "Config loading"). An unexpected exception also falls back: a fault of the fast path
     * must not change what the full parse would decide.
     */
    private static Optional<IfpinConfig> readFast(Optional<ConfigObject> root, String source, boolean mergeReference) {
        if (root.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(build(root.get().toConfig(), source, mergeReference));
        } catch (InvalidConfigException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @param mergeReference merge reference.conf even when the file has no substitutions (tests) */
    private static IfpinConfig build(Config user, String source, boolean mergeReference)
            throws InvalidConfigException {
        Problems problems = new Problems(source);
        ConfigObject root = user.root();
        if (!root.containsKey("ifpin") && !root.isEmpty()) {
            // Likely a file written for something else, or settings without their block: applying
            // no rules silently would leave every socket unpinned.
            ConfigValue first = root.values().stream()
                    .min(Comparator.comparingInt(value -> value.origin().lineNumber())).orElseThrow();
            problems.add(first.origin(), null, "no `ifpin { ... }` block (found only " + root.keySet() + ")",
                    "put the agent settings inside ifpin { ... }; keys outside it are ignored");
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
        return new ConfigReader(source, problems).read(ifpin != null ? ifpin : ConfigFactory.empty().root());
    }

    /**
     * The agent's own defaults only. In the agent, classes and resources come from an isolated
     * loader whose parent is the platform loader, so this finds the agent jar's copy and never
     * an application's reference.conf.
     */
    private static Config reference() {
        URL url = ConfigLoader.class.getResource(REFERENCE);
        if (url == null) {
            throw new IllegalStateException("the ifpin agent is missing its " + REFERENCE);
        }
        return ConfigFactory.parseURL(url, ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** Checked up front: Typesafe Config's messages for these are Java exception texts. */
    private static String unreadableReason(Path file) {
        String shown = file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath() + ")";
        if (Files.isDirectory(file)) {
            return "is a directory, not a config file" + shown;
        }
        if (!Files.exists(file)) {
            return "file not found" + shown;
        }
        if (!Files.isReadable(file)) {
            return "file not readable (permission denied for user " + System.getProperty("user.name") + ")";
        }
        return null;
    }

    /** HOCON syntax errors, unresolved substitutions and I/O errors, in the same format as other problems. */
    private static InvalidConfigException translate(ConfigException e, String source) {
        String detail = e.getMessage();
        if (e.origin() != null && detail.startsWith(e.origin().description() + ": ")) {
            detail = detail.substring(e.origin().description().length() + 2); // the location is printed anyway
        }
        String problem;
        String fix;
        if (e instanceof ConfigException.UnresolvedSubstitution) { // a subclass of Parse: test first
            problem = detail;
            fix = "define the referenced key or environment variable, or write ${?NAME} to make it optional";
        } else if (e instanceof ConfigException.Parse) {
            problem = "HOCON syntax error: " + detail;
            fix = SYNTAX_FIX;
        } else if (e instanceof ConfigException.IO) {
            problem = "cannot read the file: " + detail;
            fix = PATH_FIX;
        } else {
            problem = detail;
            fix = "correct the config there";
        }
        Problems problems = new Problems(source);
        problems.add(e.origin(), null, problem, fix);
        return problems.toException();
    }
}
