package io.ifpin.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
    private static final String SYNTAX_FIX = "correct the HOCON syntax there; double-quote values that contain"
            + " * : / such as \"*.corp.example\" and IPv6 addresses";

    private ConfigLoader() {
    }

    /** A config loaded from a file, with the text it was built from and its warnings. */
    public record Loaded(IfpinConfig config, String text, List<String> warnings) {
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    public static IfpinConfig load(Path file) throws InvalidConfigException {
        return loadWithWarnings(file).config();
    }

    /** @param fastParse try {@link FastHoconParser} first; false for tests that compare it with the full parse */
    static IfpinConfig load(Path file, boolean fastParse) throws InvalidConfigException {
        return parseFile(file, readText(file), fastParse).config();
    }

    /** {@link #load}, keeping the warnings (a missing plain {@code include}) for the caller to report. */
    public static Loaded loadWithWarnings(Path file) throws InvalidConfigException {
        return parseFile(file, readText(file));
    }

    /**
     * The file's text, read the bounded way ({@link ConfigFile}: a regular file, at most 16 MiB, UTF-8): kept apart
     * from {@link #parseFile} so that the reloader parses exactly the text it compared.
     */
    public static String readText(Path file) throws InvalidConfigException {
        return ConfigFile.read(file);
    }

    /** Parses {@code text}, read from {@code file} (its includes are resolved relative to it). */
    public static Loaded parseFile(Path file, String text) throws InvalidConfigException {
        return parseFile(file, text, true);
    }

    private static Loaded parseFile(Path file, String text, boolean fastParse) throws InvalidConfigException {
        String source = file.toString();
        // The fast path declines includes, so a config it reads has no loader warnings.
        Optional<IfpinConfig> fast = fastParse ? readFast(FastHoconParser.parseFileText(file, text), source, false)
                : Optional.empty();
        if (fast.isPresent()) {
            return new Loaded(fast.get(), text, List.of());
        }
        List<String> warnings = new ArrayList<>();
        IfpinConfig config = guarded(source, text, () -> {
            Config user;
            try {
                user = ConfigFactory.parseString(text,
                        FileIncluder.options(ConfigParseOptions.defaults(), file, text, warnings));
            } catch (ConfigException e) {
                throw translate(e, source);
            }
            return build(user, source, false);
        });
        return new Loaded(config, text, warnings);
    }

    private interface Step {
        IfpinConfig run() throws InvalidConfigException;
    }

    /**
     * Any failure while parsing becomes a config problem, so that every caller (premain, check, reload) reports it in
     * one message and keeps its policy: nesting deep enough to overflow the parser's stack is hostile input, and an
     * OutOfMemoryError here is this text's (its garbage is gone once the parse unwinds, so reporting it is safe).
     */
    private static IfpinConfig guarded(String source, String text, Step step) throws InvalidConfigException {
        Problems problems = new Problems(source);
        try {
            return step.run();
        } catch (StackOverflowError e) {
            problems.add(null, null, "nested too deeply to parse (lists or objects inside each other thousands of"
                    + " levels deep)", "write the rules as a flat list: rules = [ { ... }, { ... } ]");
        } catch (OutOfMemoryError e) {
            problems.add(null, null, "the JVM ran out of memory while parsing it (" + text.length() + " characters,"
                    + " maximum heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB: " + e.getMessage()
                    + ")", "give the JVM more heap (-Xmx), or shorten the config (list networks as CIDRs rather than"
                    + " one rule per address)");
        } catch (RuntimeException e) {
            problems.add(null, null, "could not be read: " + e, "correct the config; if it looks right, please"
                    + " report this with the file");
        }
        throw problems.toException();
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
        return guarded(originName, hocon, () -> {
            Config user;
            try {
                user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(originName));
            } catch (ConfigException e) {
                throw translate(e, originName);
            }
            return build(user, originName, mergeReference);
        });
    }

    /**
     * The config read from the fast parser's values, or empty when it declined the text or the config has a problem:
     * then the full Typesafe Config parse reads it again and reports every problem in its words
     * (docs/dev/architecture.md, "Config loading"). An unexpected exception also falls back: a fault of the fast path
     * must not change what the full parse would decide.
     */
    private static Optional<IfpinConfig> readFast(Optional<ConfigObject> root, String source, boolean mergeReference) {
        if (root.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(build(root.get().toConfig(), source, mergeReference));
        } catch (InvalidConfigException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Out of memory or stack here, the full parse below (its garbage gone) either fits or reports it.
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
        problems.add(e.origin(), null, problem, fix);
        return problems.toException();
    }
}
