package io.ifpin.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads an ifpin HOCON config: read by {@link ConfigFile}, parsed into {@link ConfigNode}s by {@link FastHoconParser}
 * or else Typesafe Config ({@link TypesafeHocon}), read into an {@link IfpinConfig} by {@link ConfigReader}
 * (docs/dev/architecture.md, "Config loading"). The agent's own {@code reference.conf} is merged under the file only
 * when the file has substitutions.
 *
 * <p>Never {@code ConfigFactory.load()} or {@code defaultReference()}: the agent runs inside someone
 * else's JVM, and those would read the application's {@code application.conf} and every
 * {@code reference.conf} on its class path.
 *
 * <p>Every problem found is reported at once in one {@link InvalidConfigException}; see there for
 * the message format.
 */
public final class ConfigLoader {
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
        Optional<IfpinConfig> fast = fastParse ? readFast(FastHoconParser.parseFileText(file, text), source)
                : Optional.empty();
        if (fast.isPresent()) {
            return new Loaded(fast.get(), text, List.of());
        }
        List<String> warnings = new ArrayList<>();
        IfpinConfig config = guarded(source, text, () -> read(TypesafeHocon.parseFile(file, text, warnings), source));
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

    /** For tests: parse HOCON text; originName is used in messages as the file name. */
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
        // Merging reference.conf (tests) is the full parse's.
        Optional<IfpinConfig> fast = fastParse && !mergeReference
                ? readFast(FastHoconParser.parse(hocon, originName), originName) : Optional.empty();
        if (fast.isPresent()) {
            return fast.get();
        }
        return guarded(originName, hocon, () -> read(TypesafeHocon.parse(hocon, originName, mergeReference),
                originName));
    }

    /**
     * The config read from the fast parser's values, or empty when it declined the text or the config has a problem:
     * then the full Typesafe Config parse reads it again and reports every problem in its words
     * (docs/dev/architecture.md, "Config loading"). An unexpected exception also falls back: a fault of the fast path
     * must not change what the full parse would decide.
     */
    private static Optional<IfpinConfig> readFast(Optional<ConfigNode> root, String source) {
        if (root.isEmpty()) {
            return Optional.empty();
        }
        ConfigNode ifpin = root.get().get("ifpin");
        if (ifpin == null && !root.get().isEmpty()) {
            return Optional.empty(); // no ifpin block: the full parse reports it
        }
        try {
            return Optional.of(read(ifpin, source));
        } catch (InvalidConfigException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Out of memory or stack here, the full parse below (its garbage gone) either fits or reports it.
            return Optional.empty();
        }
    }

    /** Reads the {@code ifpin} block, null when the file has none (and no other key: an empty file). */
    private static IfpinConfig read(ConfigNode ifpin, String source) throws InvalidConfigException {
        return new ConfigReader(source, new Problems(source)).read(ifpin != null ? ifpin : ConfigNode.EMPTY_OBJECT);
    }
}
