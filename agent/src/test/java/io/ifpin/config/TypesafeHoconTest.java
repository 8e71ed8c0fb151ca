package io.ifpin.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TypesafeHocon#node} gives the tree Typesafe Config parsed, as {@link ConfigNode}s, with what problem lines
 * show of it unchanged: each value, its Java type, the order of an object's keys (problems on one line keep it), the
 * rendering of a value ({@code ConfigRenderOptions.concise()}, as {@code Problems.render} used), and each origin's
 * {@code file:line} as {@code Problems.location} computed it from Typesafe's origin (the oracle below is that code).
 */
class TypesafeHoconTest {
    private static final String SOURCE = "the-source.conf";

    @TempDir
    Path dir;

    /** What Problems.location made of a Typesafe origin before ConfigNode: the oracle. */
    private static String oldLocation(ConfigOrigin origin, String source) {
        if (origin == null) {
            return source;
        }
        String file = origin.filename();
        if (file == null) {
            String description = Pattern.compile(": [0-9]+(-[0-9]+)?$").matcher(origin.description()).replaceFirst("");
            file = description.isEmpty() || description.startsWith("merge of ") ? source : description;
        }
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
    }

    /** Every value of both trees, side by side: same kind, value, key order, rendering and location. */
    private static int assertConverted(ConfigValue full, ConfigNode node, String path) {
        assertEquals(oldLocation(full.origin(), SOURCE), node.origin().location(), "location of " + path);
        assertEquals(full.origin().lineNumber(), node.origin().line(), "line of " + path);
        assertEquals(full.render(ConfigRenderOptions.concise()), node.render(), "rendering of " + path);
        int count = 1;
        if (full instanceof ConfigObject object) {
            assertTrue(node.isObject(), path);
            assertEquals(List.copyOf(object.keySet()), List.copyOf(node.keys()), "key order of " + path);
            for (String key : object.keySet()) {
                count += assertConverted(object.get(key), node.get(key), path + "." + key);
            }
        } else if (full instanceof ConfigList list) {
            assertTrue(node.isList(), path);
            assertEquals(list.size(), node.size(), path);
            for (int i = 0; i < list.size(); i++) {
                count += assertConverted(list.get(i), node.elements().get(i), path + "[" + i + "]");
            }
        } else if (full.valueType() == ConfigValueType.NULL) {
            assertTrue(node.isNull(), path);
        } else {
            Object value = node.isString() ? node.string() : node.isNumber() ? node.number() : (Object) node.bool();
            assertEquals(full.unwrapped(), value, path);
            assertEquals(full.unwrapped().getClass(), value.getClass(), "type of " + path);
        }
        return count;
    }

    private static ConfigObject parse(String text, String description) {
        return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(description)).root();
    }

    @Test
    void everyKindOfValueIsConvertedAsTypesafeShowsIt() {
        ConfigObject root = parse("""
                a = { "2" = 1, "10" = 2, b = x, "" = y, "1x" = z }
                list = [1, 2147483648, 1.5, 1e3, -0, 1e999, true, null, "s", [], {}, [[{ k = "\\u0001\\t\\"\\\\ é" }]]]
                n = null
                f = false
                "quoted key" = "a\\nb\\u001fc\\u007fd\\u2028e"
                unquoted = foo bar
                """, SOURCE);
        assertTrue(assertConverted(root, TypesafeHocon.node(root, SOURCE), "(root)") > 25);
    }

    /** Typesafe's concise rendering is what problem lines have always shown: random trees, rendered both ways. */
    @Test
    void renderingIsTypesafesOnRandomTrees() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            ConfigValue value = ConfigValueFactory.fromAnyRef(randomValue(random, 3));
            assertEquals(value.render(ConfigRenderOptions.concise()), TypesafeHocon.node(value, SOURCE).render());
            if (value.valueType() != ConfigValueType.OBJECT) {
                String rendered = value.render(ConfigRenderOptions.concise());
                assertEquals(rendered.length() <= 60 ? rendered : rendered.substring(0, 57) + "...",
                        Problems.render(TypesafeHocon.node(value, SOURCE)));
            }
        }
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 8 : 6);
        switch (kind) {
            case 0:
                return randomString(random);
            case 1:
                return random.nextInt(2000) - 1000;
            case 2:
                return random.nextLong();
            case 3:
                return random.nextBoolean() ? random.nextDouble() * 1000 : (double) random.nextInt(10);
            case 4:
                return random.nextBoolean();
            case 5:
                return null;
            case 6: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(randomValue(random, depth - 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(random.nextInt(3) == 0 ? String.valueOf(random.nextInt(200)) : randomString(random),
                            randomValue(random, depth - 1));
                }
                return map;
            }
        }
    }

    private static String randomString(Random random) {
        String alphabet = "ab0-9.\"\\\n\t\r\b\f\u0000\u0001\u001f\u007f\u0080\u00e9\u2028\ud83d\ude00 ";
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /**
     * Origins Typesafe makes that the fast parser never does: included files (file origins), values merged from two
     * lines or two files, reference.conf's (a URL), JSON and properties files, and descriptions that only look like a
     * line suffix.
     */
    @Test
    void originsAreLocatedAsProblemsLocatedThem() throws Exception {
        Files.writeString(dir.resolve("inc.conf"), "\nifpin.log.level = debug\nifpin.rules = [ { name = b } ]\n");
        String text = "ifpin.log { file = null }\ninclude \"inc.conf\"\nifpin { default-action = allow }\n"
                + "ifpin.log { level = info }\nx = ${ifpin.log.level}\n";
        Path main = Files.writeString(dir.resolve("main.conf"), text);
        Config user = ConfigFactory.parseString(text,
                FileIncluder.options(ConfigParseOptions.defaults(), main, text, new ArrayList<>()));
        ConfigObject merged = user.withFallback(ConfigFactory.parseResources(getClass(), "/reference.conf")).resolve()
                .root();
        int count = assertConverted(merged, TypesafeHocon.node(merged, SOURCE), "(merged)");
        assertTrue(count > 20, "values: " + count);

        Files.writeString(dir.resolve("a.json"), "{\n \"ifpin\": {\n  \"rules\": [ { \"name\": \"j\" } ] } }\n");
        ConfigObject json = ConfigFactory.parseFile(dir.resolve("a.json").toFile(),
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)).root();
        assertConverted(json, TypesafeHocon.node(json, SOURCE), "(json)");
        Files.writeString(dir.resolve("a.properties"), "ifpin.log.level=debug\nifpin.default-action=deny\n");
        ConfigObject properties = ConfigFactory.parseFile(dir.resolve("a.properties").toFile()).root();
        assertConverted(properties, TypesafeHocon.node(properties, SOURCE), "(properties)");

        for (String description : List.of("x.conf", "x: 5.conf", "x.conf: 12", "", "merge of a,b", "x\n", "x: 3\n",
                "a: 1-2", "a: 1-", ": 7")) {
            for (int line : new int[] {-1, 0, 1, 7, 12}) {
                ConfigOrigin origin = ConfigOriginFactory.newSimple(description);
                origin = line < 0 ? origin : origin.withLineNumber(line);
                assertEquals(oldLocation(origin, SOURCE), TypesafeHocon.origin(origin, SOURCE).location(),
                        description + " line " + line);
            }
        }
        ConfigOrigin range = parse("a { x = 1 }\na { y = 2 }\n", "r.conf").get("a").origin();
        assertNotEquals("r.conf: 1", range.description(), "a merged object spans lines: the regex's case");
        assertEquals(oldLocation(range, SOURCE), TypesafeHocon.origin(range, SOURCE).location());
    }

    /** The loader's full path hands the reader these nodes: a config with substitutions reads as before. */
    @Test
    void theFullParseReadsSubstitutionsAndIncludes() throws Exception {
        Files.writeString(dir.resolve("rules.conf"), "ifpin.rules = [ { name = a, cidrs = [\"192.0.2.0/24\"],"
                + " interface = ${dev} } ]\n");
        Path main = Files.writeString(dir.resolve("ifpin.conf"), "dev = b0\ninclude \"rules.conf\"\n"
                + "ifpin.reload-interval = 2 seconds\n");
        IfpinConfig config = ConfigLoader.load(main);
        assertEquals("b0", config.rules().rules().get(0).interfaceName());
        assertEquals(dir.resolve("rules.conf") + ":1", config.rules().rules().get(0).origin());
        assertEquals(java.time.Duration.ofSeconds(2), config.reloadInterval().orElseThrow());
    }
}
