package io.ifpin.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import io.ifpin.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast path must read every config exactly as the full Typesafe Config parse does: where {@link FastHoconParser}
 * accepts the text, the same {@link ConfigNode} tree, values and origins (file and line), as Typesafe's parse gives
 * through {@link TypesafeHocon#node}; and the same {@link IfpinConfig} (rules, origins, defaults, log, audit,
 * metrics) or the same error message from {@link ConfigLoader}. Checked on the shipped samples, the
 * configs in the config tests' sources and the docs, generated rule sets, and random mutations of all of them.
 */
class FastHoconParserDifferentialTest {
    private static final String NAME = "t.conf";
    /** Relative to the agent module, where Maven runs the tests. */
    private static final Path SAMPLES = Path.of("../config-samples");
    private static final Path TEST_SOURCES = Path.of("src/test/java/io/ifpin/config");
    private static final Path DOCS = Path.of("../docs");

    /** The fast parse of a file as the loader makes it: the text {@code ConfigFile} read, then the parser. */
    private static Optional<ConfigNode> fast(Path file) throws InvalidConfigException {
        return FastHoconParser.parseFileText(file, ConfigLoader.readText(file));
    }

    // ---- the configs ----

    @Test
    void everySampleFileLoadsTheSameAndFast() throws Exception {
        List<Path> samples = samples();
        assertFalse(samples.isEmpty(), "no samples in " + SAMPLES.toAbsolutePath());
        for (Path sample : samples) {
            String text = Files.readString(sample);
            assertTrue(fast(sample).isPresent(),
                    sample + " is declined: " + FastHoconParser.declineReason(text));
            assertEquals(describe(() -> ConfigLoader.load(sample, false)), describe(() -> ConfigLoader.load(sample)),
                    sample.toString());
            assertSameTree(text);
        }
    }

    @Test
    void theAgentsReferenceConfIsReadTheSame() throws IOException {
        String reference = Files.readString(Path.of("src/main/resources/reference.conf"));
        assertTrue(assertSameTree(reference), FastHoconParser.declineReason(reference));
        assertSameConfig(reference);
    }

    /**
     * Every text block and string literal in the config tests (valid and invalid configs, and for the one-line ones
     * also wrapped in a rule as ConfigErrorsTest does), and every fenced block in the docs.
     */
    @Test
    void everyConfigInTheTestsAndDocsIsReadTheSame() throws IOException {
        List<String> candidates = new ArrayList<>(testConfigs());
        candidates.addAll(docBlocks());
        int accepted = 0;
        int valid = 0;
        for (String text : candidates) {
            if (assertSameTree(text)) {
                accepted++;
            }
            if (assertSameConfig(text)) {
                valid++;
            }
        }
        // Not vacuous: most of the tests' configs are in the subset, and many are valid.
        assertTrue(candidates.size() > 200, "candidates: " + candidates.size());
        assertTrue(accepted > 100 && valid > 30, "accepted " + accepted + ", valid " + valid + " of " + candidates.size());
    }

    @Test
    void generatedRuleSetsAreReadTheSame() {
        Random random = new Random(13);
        for (int i = 0; i < 300; i++) {
            String text = RandomConfigs.config(random, 1 + random.nextInt(12));
            assertTrue(assertSameTree(text), FastHoconParser.declineReason(text) + " in\n" + text);
            assertSameConfig(text);
        }
    }

    @Test
    void aThousandRulesAreReadTheSame(@TempDir Path dir) throws Exception {
        String text = RandomConfigs.config(new Random(1000), 1000, false);
        Path file = dir.resolve("rules-1000.conf");
        Files.writeString(file, text);
        assertTrue(fast(file).isPresent());
        String full = describe(() -> ConfigLoader.load(file, false));
        assertTrue(full.contains("rule 999 "), full.substring(0, 200));
        assertEquals(full, describe(() -> ConfigLoader.load(file)));
    }

    /** Random edits of valid configs: the fast path never accepts what Typesafe refuses, nor reads it otherwise. */
    @Test
    void mutationsAreNeverReadDifferently() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (Path sample : samples()) {
            seeds.add(Files.readString(sample));
        }
        seeds.add(ConfigLoaderTest.EXAMPLE);
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            seeds.add(RandomConfigs.config(random, 1 + random.nextInt(5)));
        }
        int accepted = 0;
        int mutants = 0;
        for (String seed : seeds) {
            for (int i = 0; i < 100; i++) {
                String mutant = RandomConfigs.mutate(random, seed, 1 + random.nextInt(3));
                mutants++;
                if (assertSameTree(mutant)) {
                    accepted++;
                }
                assertSameConfig(mutant);
            }
        }
        assertTrue(accepted > mutants / 10 && accepted < mutants, "accepted " + accepted + " of " + mutants);
    }

    /**
     * Every character inserted at, or put in place of, every position of a compact config that uses the whole subset:
     * where the tokenizers of the two parsers could differ (a reserved character inside a word, a quote after a
     * number), nothing is left to chance.
     */
    @Test
    void everySingleCharacterEditIsReadTheSameOrDeclined() {
        String seed = """
                ifpin { on-error = fail-closed, reload-interval = 10s, metrics.jmx = true # c
                  log: { level = debug, file = /var/log/x.log }
                  "rules" = [ { name = "a\\u0041", cidrs = ["192.0.2.0/24"], ports = [443, -1, "8-9"], interface = b0 }
                    { hosts = [], action = null } // c
                  ] }
                """;
        // Every ASCII character that is not a letter or digit, and a few of those (the others behave alike).
        StringBuilder alphabet = new StringBuilder("\t\n\r\u0001\u00a0\u2028\ufeff\u00e9aeEfnstu09");
        for (char c = 0x20; c < 0x7f; c++) {
            if (!Character.isLetterOrDigit(c)) {
                alphabet.append(c);
            }
        }
        int accepted = 0;
        for (int at = 0; at <= seed.length(); at++) {
            for (int i = 0; i < alphabet.length(); i++) {
                String insert = seed.substring(0, at) + alphabet.charAt(i) + seed.substring(at);
                if (assertSameTree(insert)) {
                    accepted++;
                }
                if (at < seed.length() && assertSameTree(seed.substring(0, at) + alphabet.charAt(i)
                        + seed.substring(at + 1))) {
                    accepted++;
                }
            }
        }
        assertTrue(accepted > 500, "accepted " + accepted);
    }

    @Test
    void fileNamesTypesafeReadsInAnotherSyntaxAreLeftToIt(@TempDir Path dir) throws Exception {
        String text = "ifpin { rules = [] }\n";
        for (String name : List.of("ifpin.json", "ifpin.properties", "ifpin.JSON")) {
            Path file = dir.resolve(name);
            Files.writeString(file, text);
            assertEquals(Optional.empty(), fast(file), name);
        }
        Path conf = dir.resolve("ifpin.conf");
        Files.writeString(conf, text);
        assertTrue(fast(conf).isPresent());
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.readText(dir), "a directory never reaches the parser");
    }

    @Test
    void malformedUtf8IsLeftToTypesafe(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.conf");
        Files.write(file, "ifpin { rules = [ { name = \"caf\u00e9\", cidrs = [\"192.0.2.0/24\"], interface = \"b0\" } ] }\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.readText(file),
                "malformed UTF-8 never reaches the parser");
        assertEquals(describe(() -> ConfigLoader.load(file, false)), describe(() -> ConfigLoader.load(file)));
        Path utf8 = dir.resolve("utf8.conf");
        Files.writeString(utf8, "ifpin { rules = [ { name = \"caf\u00e9\", cidrs = [\"192.0.2.0/24\"], interface = \"b0\" } ] }\n");
        assertTrue(fast(utf8).isPresent());
        assertEquals(describe(() -> ConfigLoader.load(utf8, false)), describe(() -> ConfigLoader.load(utf8)));
    }

    // ---- comparisons ----

    /**
     * Asserts that when the fast parser accepts {@code text}, Typesafe parses it too, to an equal tree (values, their
     * Java types, origins: file and line) once converted by {@link TypesafeHocon#node}. True if the fast parser
     * accepted it.
     */
    static boolean assertSameTree(String text) {
        Optional<ConfigNode> fast = FastHoconParser.parse(text, NAME);
        if (fast.isEmpty()) {
            return false;
        }
        ConfigObject full;
        try {
            full = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(NAME)).root();
        } catch (ConfigException e) {
            fail("the fast parser accepts what Typesafe refuses (" + e.getMessage() + "):\n" + text);
            return true;
        }
        ConfigNode converted = TypesafeHocon.node(full, NAME);
        assertSameValue(converted, fast.get(), "(root)", text);
        assertEquals(converted, fast.get(), text); // equals itself, for what the walk might miss
        assertEquals(converted.render(), fast.get().render(), text);
        return true;
    }

    /** Node by node, so that a difference names its path. */
    private static void assertSameValue(ConfigNode full, ConfigNode fast, String path, String text) {
        String where = path + " in\n" + text;
        assertEquals(full.typeName(), fast.typeName(), where);
        assertEquals(full.origin(), fast.origin(), "origin of " + where);
        if (full.isObject()) {
            assertEquals(new TreeSet<>(full.keys()), new TreeSet<>(fast.keys()), "keys of " + where);
            for (String key : full.keys()) {
                assertSameValue(full.get(key), fast.get(key), path + "." + key, text);
            }
        } else if (full.isList()) {
            assertEquals(full.size(), fast.size(), "size of " + where);
            for (int i = 0; i < full.size(); i++) {
                assertSameValue(full.elements().get(i), fast.elements().get(i), path + "[" + i + "]", text);
            }
        } else if (full.isNumber()) {
            assertEquals(full.number(), fast.number(), where);
            assertEquals(full.number().getClass(), fast.number().getClass(), "type of " + where);
        } else if (full.isString()) {
            assertEquals(full.string(), fast.string(), where);
        } else if (full.isBoolean()) {
            assertEquals(full.bool(), fast.bool(), where);
        }
    }

    /** Asserts that the loader with and without the fast path gives the same config or message; true if valid. */
    static boolean assertSameConfig(String text) {
        String full = describe(() -> ConfigLoader.parseFullOnly(text, NAME));
        assertEquals(full, describe(() -> ConfigLoader.parse(text, NAME)), text);
        return !full.startsWith("invalid: ");
    }

    interface Load {
        IfpinConfig load() throws InvalidConfigException;
    }

    /** Everything a config says, or the error message. */
    static String describe(Load load) {
        IfpinConfig config;
        try {
            config = load.load();
        } catch (InvalidConfigException e) {
            return "invalid: " + e.getMessage();
        }
        StringBuilder out = new StringBuilder();
        out.append("source ").append(config.source()).append('\n')
                .append("log ").append(config.log()).append('\n')
                .append("audit ").append(config.audit()).append('\n')
                .append("reload ").append(config.reloadInterval()).append('\n')
                .append("jmx ").append(config.jmx()).append('\n')
                .append("default ").append(rule(config.defaultRule())).append('\n');
        for (Rule rule : config.rules().rules()) {
            out.append("rule ").append(rule.index()).append(' ').append(rule(rule)).append('\n');
        }
        return out.toString();
    }

    private static String rule(Rule rule) {
        return String.join(" | ", rule.name(), String.valueOf(rule.interfaceName()), rule.origin(),
                rule.hosts().toString(), rule.cidrs().toString(), rule.ports().toString(),
                rule.protocols().toString(), rule.action().toString(), rule.onError().toString(),
                rule.callers().toString(), rule.direction().toString(), rule.describe());
    }

    // ---- where the configs come from ----

    private static List<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".conf")).sorted().toList();
        }
    }

    private static final Pattern TEXT_BLOCK = Pattern.compile("\"\"\"\\n(.*?)\"\"\"", Pattern.DOTALL);
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

    /** The text blocks and string literals of the config tests' sources, as the compiler would read them. */
    static List<String> testConfigs() throws IOException {
        List<String> configs = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.list(TEST_SOURCES)) {
            sources = files.filter(file -> file.toString().endsWith("Test.java")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), TEST_SOURCES.toAbsolutePath().toString());
        for (Path source : sources) {
            String java = Files.readString(source);
            Matcher block = TEXT_BLOCK.matcher(java);
            StringBuilder rest = new StringBuilder();
            int last = 0;
            while (block.find()) {
                configs.add(block.group(1).stripIndent().translateEscapes());
                rest.append(java, last, block.start());
                last = block.end();
            }
            rest.append(java.substring(last));
            Matcher literal = STRING_LITERAL.matcher(rest);
            while (literal.find()) {
                String text;
                try {
                    text = literal.group(1).translateEscapes();
                } catch (IllegalArgumentException notJavaText) {
                    continue;
                }
                configs.add(text);
                // ConfigErrorsTest's rule(): a one-rule config on line 3.
                configs.add("ifpin {\n  rules = [\n    { " + text + " }\n  ]\n}\n");
            }
        }
        return configs;
    }

    /** Fenced code blocks of the docs and the README, whatever their language. */
    static List<String> docBlocks() throws IOException {
        List<String> blocks = new ArrayList<>();
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DOCS)) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        docs.add(Path.of("../README.md"));
        for (Path doc : docs) {
            StringBuilder block = null;
            for (String line : Files.readString(doc).split("\n", -1)) {
                if (line.strip().startsWith("```")) {
                    if (block == null) {
                        block = new StringBuilder();
                    } else {
                        blocks.add(block.toString());
                        block = null;
                    }
                } else if (block != null) {
                    block.append(line).append('\n');
                }
            }
        }
        return blocks;
    }
}
