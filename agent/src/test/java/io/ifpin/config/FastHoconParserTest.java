package io.ifpin.config;

import io.ifpin.log.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link FastHoconParser} reads, and what it leaves to Typesafe Config (each decline with its reason). */
class FastHoconParserTest {

    private static ConfigNode parse(String text) {
        return FastHoconParser.parse(text, "t.conf")
                .orElseThrow(() -> new AssertionError(FastHoconParser.declineReason(text) + " in\n" + text));
    }

    private static ConfigNode at(ConfigNode root, String... keys) {
        ConfigNode value = root;
        for (String key : keys) {
            value = value.get(key);
        }
        return value;
    }

    @Test
    void readsTheSubsetWithTheLineOfEveryValue() {
        ConfigNode root = parse("""
                # a comment
                ifpin {
                  on-error = fail-closed   // why
                  reload-interval: 10s
                  metrics.jmx = false
                  log { level = debug, file = null }
                  rules = [
                    { name = "a\\tb", cidrs = ["192.0.2.0/24", "2001:db8::/32"], ports = [443, "8000-8099"],
                      interface = b0 }
                    {
                      hosts = ["*.corp.example"]
                      action = deny
                    },
                  ]
                }
                """);
        assertEquals(2, root.get("ifpin").origin().line());
        assertEquals("fail-closed", at(root, "ifpin", "on-error").string());
        assertEquals(3, at(root, "ifpin", "on-error").origin().line());
        assertEquals("10s", at(root, "ifpin", "reload-interval").string());
        assertFalse(at(root, "ifpin", "metrics", "jmx").bool());
        assertEquals(5, at(root, "ifpin", "metrics").origin().line(), "a dotted key's object is its value's line");
        assertTrue(at(root, "ifpin", "log", "file").isNull());
        ConfigNode rules = at(root, "ifpin", "rules");
        assertEquals(7, rules.origin().line());
        ConfigNode first = rules.elements().get(0);
        assertEquals(8, first.origin().line());
        assertEquals("a\tb", first.get("name").string());
        List<ConfigNode> ports = first.get("ports").elements();
        assertEquals(443, ports.get(0).number());
        assertEquals(Integer.class, ports.get(0).number().getClass());
        assertEquals("8000-8099", ports.get(1).string());
        assertEquals(9, first.get("interface").origin().line());
        assertEquals(10, rules.elements().get(1).origin().line());
        assertEquals(12, rules.elements().get(1).get("action").origin().line());
        assertEquals("t.conf:8", first.origin().location());
        assertEquals(List.of("name", "cidrs", "ports", "interface"), List.copyOf(first.keys()), "in the order written");
    }

    @Test
    void numbersAreIntsOrLongsAsTypesafeMakesThem() {
        ConfigNode root = parse("a = 2147483647, b = 2147483648, c = -5, d = 0");
        assertEquals(Integer.class, root.get("a").number().getClass());
        assertEquals(Long.class, root.get("b").number().getClass());
        assertEquals(-5, root.get("c").number());
        assertEquals(0, root.get("d").number());
    }

    @Test
    void aBracedRootAndQuotedKeys() {
        ConfigNode root = parse("\n{ \"ifpin\": { \"rules\": [] } }\n");
        assertEquals(2, root.origin().line());
        assertTrue(at(root, "ifpin", "rules").isEmpty());
    }

    /** The reader refuses control characters in names: the parser hands escaped ones through as they are. */
    @Test
    void escapedControlCharactersReachTheReaderUnchanged() {
        ConfigNode root = parse("name = \"a\\u0001b\\u001fc\\\"d\\\\e\\/f\"");
        assertEquals("a\u0001b\u001fc\"d\\e/f", root.get("name").string());
    }

    @Test
    void emptyTextIsAnEmptyRoot() {
        assertTrue(parse("").isEmpty());
        assertTrue(parse("# only a comment\n\n").isEmpty());
    }

    @Test
    void declinesWhatIsOutsideTheSubset() {
        Map<String, String> declined = Map.ofEntries(
                Map.entry("include \"other.conf\"\nifpin { }", "include"),
                Map.entry("ifpin { rules = ${base} }", "value"),
                Map.entry("ifpin { rules += { } }", "key not followed"),
                Map.entry("ifpin { log { file = \"\"\"/x\"\"\" } }", "triple-quoted"),
                Map.entry("ifpin { log { level = info }, log { file = null } }", "given twice"),
                Map.entry("ifpin.log.level = info\nifpin.rules = []", "given twice"),
                Map.entry("ifpin { log { level = info debug } }", "expected a comma"),
                Map.entry("ifpin { rules = [] [] }", "expected a comma"),
                Map.entry("ifpin { log = { } { } }", "expected a comma"),
                Map.entry("ifpin { log { level = \"in\"\"fo\" } }", "expected a comma"),
                Map.entry("ifpin {\n  on-error =\n    fail-closed\n}", "value"),
                Map.entry("ifpin\n{\n}", "key not followed"),
                Map.entry("ifpin { reload-interval = 1.5s }", "decimal"),
                Map.entry("ifpin { rules = [ { ports = [8000-8099] } ] }", "decimal number or a range"),
                Map.entry("ifpin { rules = [ { ports = [007] } ] }", "whole number"),
                Map.entry("ifpin { rules = [ { ports = [99999999999999999999] } ] }", "too large"),
                Map.entry("ifpin { default-action = nullable }", "true, false or null"),
                Map.entry("ifpin { log { level = \"a\tb\" } }", "control character"),
                Map.entry("\ufeffifpin { }", "key"),
                Map.entry("ifpin {\u00a0}", "expected a key"),
                Map.entry("ifpin { rules = [1,,2] }", "two commas"),
                Map.entry("ifpin { rules = [,1] }", "value"),
                Map.entry("ifpin { log { level = \"info }", "unterminated"),
                Map.entry("{ ifpin { } } x", "text after"),
                Map.entry("ifpin { } }", "expected a comma"),
                Map.entry("}", "unbalanced"),
                Map.entry("ifpin { log { level = // no value\n info } }", "comment where a value"),
                Map.entry("ifpin { log { level = \"\\q\" } }", "unknown escape"),
                Map.entry("ifpin { log { level = \"\\u00g1\" } }", "malformed"),
                Map.entry("ifpin { log { level = * } }", "value"),
                Map.entry("ifpin { log { \"\" = 1 } }", "empty key"),
                Map.entry("a b = 1", "key not followed"),
                Map.entry("ifpin { rules = [", "value"),
                Map.entry("ifpin {", "end of text"));
        for (Map.Entry<String, String> entry : declined.entrySet()) {
            String reason = FastHoconParser.declineReason(entry.getKey());
            assertNotNull(reason, "accepted: " + entry.getKey());
            assertTrue(reason.contains(entry.getValue()), "\"" + reason + "\" for " + entry.getKey());
            assertTrue(FastHoconParser.parse(entry.getKey(), "t.conf").isEmpty());
        }
    }

    @Test
    void absurdNestingIsDeclinedNotAStackOverflow() {
        String deep = "a = " + "[".repeat(200_000) + "]".repeat(200_000);
        assertTrue(FastHoconParser.parse(deep, "t.conf").isEmpty());
    }

    /** A declined text still loads (or fails) exactly as before: the loader falls back to the full parse. */
    @Test
    void theLoaderFallsBackForDeclinedText() throws Exception {
        String withSubstitution = """
                ifpin {
                  iface = "b0"
                  rules = [ { name = "a", cidrs = ["192.0.2.0/24"], interface = ${ifpin.iface} } ]
                }
                """;
        assertNotNull(FastHoconParser.declineReason(withSubstitution));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse(withSubstitution, "t.conf"));
        assertEquals(FastHoconParserDifferentialTest.describe(() -> ConfigLoader.parseFullOnly(withSubstitution,
                "t.conf")), "invalid: " + e.getMessage());
        String duplicated = "ifpin { log.level = debug, log.file = null }\n";
        assertNotNull(FastHoconParser.declineReason(duplicated));
        assertEquals(LogLevel.DEBUG, ConfigLoader.parse(duplicated, "t.conf").log().level());
    }
}
