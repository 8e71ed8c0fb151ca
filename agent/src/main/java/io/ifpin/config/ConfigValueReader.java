package io.ifpin.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.List;
import java.util.Locale;

/**
 * The generic half of reading the {@code ifpin} HOCON tree: shape and type checks on single values, "did you mean"
 * for unknown keys, and every problem recorded (with the value's file:line) in {@link Problems} rather than thrown,
 * so one run reports them all. {@link ConfigReader} (the {@code ifpin.*} settings) and {@link RuleReader} (each rule)
 * build on it.
 *
 * <p>It walks {@link ConfigValue}s rather than using {@code Config.getString()} and friends, because
 * only the values carry the origin (file and line) of each list element, and the getters stop at
 * the first error with messages that name no fix.
 */
abstract class ConfigValueReader {
    final Problems problems;

    ConfigValueReader(Problems problems) {
        this.problems = problems;
    }

    int positiveInt(ConfigValue value, String path, int fallback, String example) {
        if (isAbsent(value)) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.NUMBER) {
            Number number = (Number) value.unwrapped();
            if (number.doubleValue() == Math.rint(number.doubleValue()) && number.longValue() >= 1
                    && number.longValue() <= Integer.MAX_VALUE) {
                return number.intValue();
            }
        }
        problems.addValue(value, path, "must be a whole number of at least 1", "write e.g. " + example);
        return fallback;
    }

    // ---- shape checks; each records a problem and returns null when the value does not fit ----

    void checkKeys(ConfigObject object, String path, List<String> known) {
        // keySet(), not entrySet(): Typesafe's entrySet() builds a HashSet of entries, hashing every value deeply,
        // which for the root is the whole config (a tenth of the read at 1,000 rules).
        for (String key : object.keySet()) {
            if (!known.contains(key)) {
                String closest = closestKey(key, known);
                problems.add(object.get(key).origin(), path + "." + key, "unknown key",
                        closest != null ? "did you mean `" + closest + "`?"
                                : "remove it; the keys allowed here are " + String.join(", ", known));
            }
        }
    }

    ConfigObject expectObject(ConfigValue value, String path, String fix) {
        if (value instanceof ConfigObject object) {
            return object;
        }
        problems.addValue(value, path, "must be an object { ... }, not " + typeName(value), fix);
        return null;
    }

    /** Null when absent (the caller's default applies) or not an object (recorded); HOCON null is not absent. */
    ConfigObject optionalObject(ConfigValue value, String path, String fix) {
        return value == null ? null : expectObject(value, path, fix);
    }

    ConfigList expectList(ConfigValue value, String path, String fix) {
        if (value instanceof ConfigList list) {
            return list;
        }
        problems.addValue(value, path, "must be a list [ ... ], not " + typeName(value), "write " + fix);
        return null;
    }

    /** Null when absent; a single string gets a fix that wraps it in a list. */
    ConfigList optionalList(ConfigValue value, String key, String path, String example) {
        if (isAbsent(value)) {
            return null;
        }
        if (value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER) {
            problems.addValue(value, path, "must be a list [ ... ], not " + typeName(value),
                    "write " + key + " = [" + Problems.render(value) + "]");
            return null;
        }
        return expectList(value, path, example);
    }

    /** Null when absent; otherwise the string, or null after recording that it is not one. */
    String string(ConfigValue value, String path, String example) {
        if (value == null) {
            return null;
        }
        if (value.valueType() == ConfigValueType.STRING) {
            return (String) value.unwrapped();
        }
        problems.addValue(value, path, "must be a string, not " + typeName(value), "write e.g. " + example);
        return null;
    }

    /**
     * A list element that must be a string. Surrounding white space is rejected rather than trimmed: it
     * usually means a typo such as {@code "192.0.2.0/24 "} and would otherwise be invisible in messages.
     */
    String elementString(ConfigValue element, String path, String example) {
        if (element.valueType() != ConfigValueType.STRING) {
            problems.addValue(element, path, "must be a string, not " + typeName(element), "write e.g. " + example);
            return null;
        }
        String text = (String) element.unwrapped();
        if (!text.equals(text.strip())) {
            problems.addValue(element, path, "has leading or trailing white space",
                    "write \"" + text.strip() + "\"");
            return null;
        }
        return text;
    }

    /** What ifpin echoes in its log lines must print as itself: see {@link Problems#escape}. */
    static boolean isPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Problems.isPrintable(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Absent, or HOCON {@code null}, which the config may use to unset an optional key. */
    static boolean isAbsent(ConfigValue value) {
        return value == null || value.valueType() == ConfigValueType.NULL;
    }

    static String typeName(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }

    /**
     * The known key closest to a misspelt one, or null if none is close. Distance counts insertions,
     * deletions, substitutions and swaps of neighbours, ignoring case; short keys allow only one edit
     * so that e.g. {@code ip} does not suggest {@code log}.
     */
    static String closestKey(String key, List<String> known) {
        String lower = key.toLowerCase(Locale.ROOT);
        int allowed = lower.length() <= 4 ? 1 : 2;
        String best = null;
        int bestDistance = allowed + 1;
        for (String candidate : known) {
            int distance = editDistance(lower, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
