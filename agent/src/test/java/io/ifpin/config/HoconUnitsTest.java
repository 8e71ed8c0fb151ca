package io.ifpin.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HoconUnits} reads every duration and size as Typesafe Config's {@code getDuration} and {@code getBytes} do
 * (the oracle here), numbers and strings alike, valid or not: the common forms by itself, the others through it.
 */
class HoconUnitsTest {
    private static final String[] DURATION_UNITS = {"", "ms", "millis", "milli", "milliseconds", "millisecond", "us",
            "micros", "micro", "microseconds", "microsecond", "ns", "nanos", "nano", "nanoseconds", "nanosecond", "d",
            "day", "days", "h", "hour", "hours", "s", "second", "seconds", "m", "minute", "minutes", "S", "M", "sec",
            "x", "mss", "Ms", "é"};
    private static final String[] SIZE_UNITS = {"", "b", "B", "byte", "bytes", "k", "K", "Ki", "KiB", "kB", "KB", "kb",
            "kilobyte", "kibibytes", "m", "M", "Mi", "MiB", "MB", "megabytes", "g", "G", "Gi", "GiB", "GB", "t", "T",
            "TiB", "TB", "P", "E", "Z", "Y", "d", "f", "D", "F", "e", "x", "iB"};
    private static final String[] NUMBERS = {"0", "1", "5", "007", "100", "4096", "999999999", "1000000000",
            "123456789012345678", "1234567890123456789", "99999999999999999999", "-1", "+5", "1.5", ".5", "1e3", "-0",
            "1 ", " 1", "1  ", "\u00a01", "0x10", ""};

    private static Duration typesafeDuration(ConfigValue value) {
        try {
            return ConfigFactory.empty().withValue("v", value).getDuration("v");
        } catch (ConfigException e) {
            return null;
        }
    }

    private static Long typesafeBytes(ConfigValue value) {
        try {
            return ConfigFactory.empty().withValue("v", value).getBytes("v");
        } catch (ConfigException e) {
            return null;
        }
    }

    /** Values as the parser would make them: {@code v = <text>} and {@code v = "<text>"}, when they parse. */
    private static List<ConfigValue> parsed(String text) {
        List<ConfigValue> values = new ArrayList<>();
        for (String written : List.of(text, quoted(text))) {
            try {
                ConfigObject root = ConfigFactory.parseString("v = " + written,
                        ConfigParseOptions.defaults().setOriginDescription("t.conf")).root();
                if (root.get("v") != null) {
                    values.add(root.get("v"));
                }
            } catch (ConfigException notHocon) {
                // e.g. an unquoted "+5"
            }
        }
        return values;
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void durationsAreTypesafes() {
        int read = 0;
        int valid = 0;
        for (String number : NUMBERS) {
            for (String unit : DURATION_UNITS) {
                for (String space : new String[] {"", " "}) {
                    for (ConfigValue value : parsed(number + space + unit)) {
                        Duration expected = typesafeDuration(value);
                        assertEquals(expected, HoconUnits.duration(TypesafeHocon.node(value, "t.conf")),
                                value.render());
                        read++;
                        valid += expected == null ? 0 : 1;
                    }
                }
            }
        }
        for (String other : new String[] {"true", "null", "[1]", "{ a = 1 }", "1e999", "-1e999", "-5", "2147483648",
                "9223372036854775807", "off", "5 s", " 5s", "5s "}) {
            for (ConfigValue value : parsed(other)) {
                assertEquals(typesafeDuration(value), HoconUnits.duration(TypesafeHocon.node(value, "t.conf")),
                        value.render());
                read++;
            }
        }
        assertTrue(read > 1500 && valid > 300, read + " read, " + valid + " valid");
    }

    @Test
    void sizesAreTypesafes() {
        int read = 0;
        int valid = 0;
        for (String number : NUMBERS) {
            for (String unit : SIZE_UNITS) {
                for (String space : new String[] {"", " "}) {
                    for (ConfigValue value : parsed(number + space + unit)) {
                        Long expected = typesafeBytes(value);
                        assertEquals(expected, HoconUnits.bytes(TypesafeHocon.node(value, "t.conf")), value.render());
                        read++;
                        valid += expected == null ? 0 : 1;
                    }
                }
            }
        }
        for (String other : new String[] {"true", "[1]", "{ a = 1 }", "1e999", "-5", "-1.5", "2.9", "Infinity",
                "NaN", "9223372036854775807", "9223372036854775808"}) {
            for (ConfigValue value : parsed(other)) {
                assertEquals(typesafeBytes(value), HoconUnits.bytes(TypesafeHocon.node(value, "t.conf")),
                        value.render());
                read++;
            }
        }
        assertTrue(read > 1500 && valid > 300, read + " read, " + valid + " valid");
    }

    /** Random digits and units, including long runs of digits where overflow would show. */
    @Test
    void randomDurationsAndSizesAreTypesafes() {
        Random random = new Random(5);
        for (int i = 0; i < 3000; i++) {
            StringBuilder digits = new StringBuilder();
            for (int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 20); n > 0; n--) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            String duration = digits + DURATION_UNITS[random.nextInt(DURATION_UNITS.length)];
            String size = digits + SIZE_UNITS[random.nextInt(SIZE_UNITS.length)];
            ConfigNode durationNode = ConfigNode.string(duration, null);
            ConfigNode sizeNode = ConfigNode.string(size, null);
            assertEquals(typesafeDuration(ConfigValueFactory.fromAnyRef(duration)),
                    HoconUnits.duration(durationNode), duration);
            assertEquals(typesafeBytes(ConfigValueFactory.fromAnyRef(size)),
                    HoconUnits.bytes(sizeNode), size);
        }
    }

    /**
     * The forms the docs use, by value (AgentJarIT checks that a config written in them loads no Typesafe class).
     */
    @Test
    void theCommonForms() {
        assertEquals(Duration.ofSeconds(5), HoconUnits.duration(ConfigNode.string("5s", null)));
        assertEquals(Duration.ofMillis(500), HoconUnits.duration(ConfigNode.string("500ms", null)));
        assertEquals(Duration.ofMillis(250), HoconUnits.duration(ConfigNode.number(250, null)));
        assertEquals(Duration.ofMinutes(2), HoconUnits.duration(ConfigNode.string("2m", null)));
        assertEquals(10L * 1024 * 1024, HoconUnits.bytes(ConfigNode.string("10M", null)));
        assertEquals(4096L, HoconUnits.bytes(ConfigNode.number(4096, null)));
        assertNull(HoconUnits.bytes(ConfigNode.number(-1, null)));
        assertNull(HoconUnits.duration(ConfigNode.bool(true, null)));
        assertNotNull(HoconUnits.duration(ConfigNode.string("2 minutes", null)), "through Typesafe");
    }
}
