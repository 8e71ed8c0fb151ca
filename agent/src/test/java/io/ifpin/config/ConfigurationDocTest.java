package io.ifpin.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/configuration.md, reference.conf and the loader's known keys ({@link ConfigReader#ROOT_KEYS},
 * {@link ConfigReader#LOG_KEYS}, {@link RuleReader#RULE_KEYS}) from drifting apart.
 *
 * <p>The doc's "## Keys" section documents keys as table rows whose first cell is the key in backticks:
 * full paths ({@code `ifpin.log.level`}) for the top level, bare names ({@code `interface`}) in the
 * per-rule table. An object-valued top-level key ({@code log}) is documented through its children.
 */
class ConfigurationDocTest {
    /** Relative to the agent module, where Maven runs the tests. */
    private static final Path DOC = Path.of("../docs/configuration.md");

    /**
     * Top-level keys whose value is an object, with the keys the loader accepts inside it. A new
     * section in reference.conf must be added here (the test says so).
     */
    private static final Map<String, List<String>> SECTIONS = Map.of("log", ConfigReader.LOG_KEYS,
            "audit", ConfigReader.AUDIT_KEYS, "metrics", ConfigReader.METRICS_KEYS);

    /** A table row whose first cell is one key in backticks. */
    private static final Pattern KEY_ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|");
    /** Inline code spans (outside fenced blocks). */
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`\\n]+)`");
    /**
     * A key path starting at ifpin, not part of a longer word or path such as -Difpin.config or
     * /etc/ifpin/ifpin.conf, and not a file name such as ifpin.conf.
     */
    private static final Pattern IFPIN_PATH =
            Pattern.compile("(?<![\\w./-])ifpin(?:\\.[A-Za-z_][\\w-]*)+(?<!\\.conf|\\.jar)(?![\\w/-])");

    private static String doc;

    @BeforeAll
    static void readDoc() throws IOException {
        doc = Files.readString(DOC);
    }

    // ---- what the loader accepts ----

    /** Every leaf key path outside rules: ifpin.rules, ifpin.log.level, ... */
    static Set<String> loaderTopLevelPaths() {
        Set<String> paths = new TreeSet<>();
        for (String key : ConfigReader.ROOT_KEYS) {
            List<String> children = SECTIONS.get(key);
            if (children == null) {
                paths.add("ifpin." + key);
            } else {
                children.forEach(child -> paths.add("ifpin." + key + "." + child));
            }
        }
        return paths;
    }

    // ---- what the doc documents ----

    /** The "## Keys" section, up to the next level-2 heading. */
    private static String keysSection() {
        int start = doc.indexOf("\n## Keys\n");
        assertTrue(start >= 0, DOC + " has no \"## Keys\" section");
        int end = doc.indexOf("\n## ", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    /** The backticked first cell of every table row in the Keys section, in doc order. */
    static List<String> documentedKeys(String section) {
        List<String> keys = new ArrayList<>();
        for (String line : section.split("\n")) {
            Matcher row = KEY_ROW.matcher(line.strip());
            if (row.find()) {
                keys.add(row.group(1).strip());
            }
        }
        return keys;
    }

    private static Set<String> documentedTopLevel() {
        Set<String> keys = new TreeSet<>();
        documentedKeys(keysSection()).stream().filter(key -> key.startsWith("ifpin.")).forEach(keys::add);
        return keys;
    }

    private static Set<String> documentedRuleKeys() {
        Set<String> keys = new TreeSet<>();
        documentedKeys(keysSection()).stream().filter(key -> !key.startsWith("ifpin.")).forEach(keys::add);
        return keys;
    }

    /** The doc without fenced code blocks (example output may show misspelt keys on purpose). */
    private static String prose() {
        StringBuilder out = new StringBuilder();
        boolean fenced = false;
        for (String line : doc.split("\n")) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    // ---- reference.conf ----

    private static ConfigObject referenceIfpin() {
        URL url = ConfigLoader.class.getResource("/reference.conf");
        assertNotNull(url, "reference.conf is not on the class path");
        ConfigValue ifpin = ConfigFactory.parseURL(url, ConfigParseOptions.defaults().setAllowMissing(false))
                .root().get("ifpin");
        assertTrue(ifpin instanceof ConfigObject, "reference.conf has no ifpin { ... } block");
        return (ConfigObject) ifpin;
    }

    // ---- tests ----

    @Test
    void everyTopLevelKeyTheLoaderAcceptsIsDocumented() {
        Set<String> missing = new TreeSet<>(loaderTopLevelPaths());
        missing.removeAll(documentedTopLevel());
        assertTrue(missing.isEmpty(), "keys the loader accepts but " + DOC + " does not document (add a row"
                + " | `<key>` | type | default | meaning | to its Keys table): " + missing);
    }

    @Test
    void everyRuleKeyTheLoaderAcceptsIsDocumented() {
        Set<String> missing = new TreeSet<>(RuleReader.RULE_KEYS);
        missing.removeAll(documentedRuleKeys());
        assertTrue(missing.isEmpty(), "rule keys the loader accepts but " + DOC + " does not document (add a"
                + " row to the \"Each rule\" table): " + missing);
    }

    @Test
    void everyDocumentedKeyIsKnownToTheLoader() {
        Set<String> unknownTop = new TreeSet<>(documentedTopLevel());
        unknownTop.removeAll(loaderTopLevelPaths());
        Set<String> unknownRule = new TreeSet<>(documentedRuleKeys());
        unknownRule.removeAll(RuleReader.RULE_KEYS);
        assertTrue(unknownTop.isEmpty() && unknownRule.isEmpty(), DOC + " documents keys that the loader"
                + " rejects as unknown: top level " + unknownTop + ", rule keys " + unknownRule);
    }

    @Test
    void theKeysTablesListEachKeyOnce() {
        List<String> keys = documentedKeys(keysSection());
        assertFalse(keys.isEmpty(), "no `key` table rows found in the Keys section of " + DOC);
        assertEquals(new ArrayList<>(new LinkedHashSet<>(keys)), keys, "a key is documented twice in " + DOC);
    }

    @Test
    void everyIfpinKeyPathMentionedInTheDocIsKnown() {
        Set<String> known = new TreeSet<>(loaderTopLevelPaths());
        known.add("ifpin");
        SECTIONS.keySet().forEach(section -> known.add("ifpin." + section));
        Set<String> unknown = new TreeSet<>();
        Matcher code = INLINE_CODE.matcher(prose());
        while (code.find()) {
            Matcher path = IFPIN_PATH.matcher(code.group(1));
            while (path.find()) {
                if (!known.contains(path.group())) {
                    unknown.add(path.group());
                }
            }
        }
        assertTrue(unknown.isEmpty(), DOC + " mentions key paths the loader does not know: " + unknown);
    }

    @Test
    void referenceConfHasExactlyTheLoadersTopLevelKeys() {
        ConfigObject ifpin = referenceIfpin();
        assertEquals(new TreeSet<>(ConfigReader.ROOT_KEYS), new TreeSet<>(ifpin.keySet()),
                "reference.conf's ifpin block and ConfigReader.ROOT_KEYS differ: give every key a default");
        for (Map.Entry<String, ConfigValue> entry : ifpin.entrySet()) {
            boolean isObject = entry.getValue() instanceof ConfigObject;
            assertEquals(isObject, SECTIONS.containsKey(entry.getKey()), "ifpin." + entry.getKey() + " is "
                    + (isObject ? "" : "not ") + "an object in reference.conf; update SECTIONS in this test");
            if (isObject) {
                assertEquals(new TreeSet<>(SECTIONS.get(entry.getKey())),
                        new TreeSet<>(((ConfigObject) entry.getValue()).keySet()),
                        "reference.conf's ifpin." + entry.getKey() + " and the loader's known keys differ");
            }
        }
    }

    @Test
    void theKeyRowParserFindsBacktickedFirstCells() {
        List<String> keys = documentedKeys("""
                | Key | Type |
                | --- | --- |
                | `ifpin.log.level` | string |
                |`name`| string |
                | text `not-a-key` | x |
                """);
        assertEquals(List.of("ifpin.log.level", "name"), keys);
    }

    @Test
    void theKeyPathPatternSkipsPropertiesAndFileNames() {
        List<String> found = new ArrayList<>();
        Matcher path = IFPIN_PATH.matcher("ifpin.log.level = debug; ifpin.rules[1].cidrs[0]; -Difpin.config=x;"
                + " /etc/ifpin/ifpin.conf; ifpin.conf; ifpin-agent.jar; ifpin.lg");
        while (path.find()) {
            found.add(path.group());
        }
        assertEquals(List.of("ifpin.log.level", "ifpin.rules", "ifpin.lg"), found);
    }
}
