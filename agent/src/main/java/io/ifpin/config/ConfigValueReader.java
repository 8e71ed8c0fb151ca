package io.ifpin.config;


import java.util.List;
import java.util.Locale;

/**
 * The generic half of reading the {@code ifpin} HOCON tree: shape and type checks on single values, "did you mean"
 * for unknown keys, and every problem recorded (with the value's file:line) in {@link Problems} rather than thrown,
 * so one run reports them all. {@link ConfigReader} (the {@code ifpin.*} settings) and {@link RuleReader} (each rule)
 * build on it.
 *
 * <p>It walks {@link ConfigNode}s, ifpin's own tree (each value with its file and line, list elements included),
 * whichever parser made them, rather than getters that stop at the first error with messages that name no fix.
 */
abstract class ConfigValueReader {
    final Problems problems;

    ConfigValueReader(Problems problems) {
        this.problems = problems;
    }

    int positiveInt(ConfigNode value, String path, int fallback, String example) {
        if (isAbsent(value)) {
            return fallback;
        }
        if (value.isNumber()) {
            Number number = value.number();
            if (number.doubleValue() == Math.rint(number.doubleValue()) && number.longValue() >= 1
                    && number.longValue() <= Integer.MAX_VALUE) {
                return number.intValue();
            }
        }
        problems.addValue(value, path, "must be a whole number of at least 1", "write e.g. " + example);
        return fallback;
    }

    // ---- shape checks; each records a problem and returns null when the value does not fit ----

    void checkKeys(ConfigNode object, String path, List<String> known) {
        for (String key : object.keys()) {
            if (!known.contains(key)) {
                String closest = closestKey(key, known);
                problems.add(object.get(key).origin(), path + "." + key, "unknown key",
                        closest != null ? "did you mean `" + closest + "`?"
                                : "remove it; the keys allowed here are " + String.join(", ", known));
            }
        }
    }

    ConfigNode expectObject(ConfigNode value, String path, String fix) {
        if (value.isObject()) {
            return value;
        }
        problems.addValue(value, path, "must be an object { ... }, not " + value.typeName(), fix);
        return null;
    }

    /** Null when absent (the caller's default applies) or not an object (recorded); HOCON null is not absent. */
    ConfigNode optionalObject(ConfigNode value, String path, String fix) {
        return value == null ? null : expectObject(value, path, fix);
    }

    ConfigNode expectList(ConfigNode value, String path, String fix) {
        if (value.isList()) {
            return value;
        }
        problems.addValue(value, path, "must be a list [ ... ], not " + value.typeName(), "write " + fix);
        return null;
    }

    /** Null when absent; a single string gets a fix that wraps it in a list. */
    ConfigNode optionalList(ConfigNode value, String key, String path, String example) {
        if (isAbsent(value)) {
            return null;
        }
        if (value.isString() || value.isNumber()) {
            problems.addValue(value, path, "must be a list [ ... ], not " + value.typeName(),
                    "write " + key + " = [" + Problems.render(value) + "]");
            return null;
        }
        return expectList(value, path, example);
    }

    /** Null when absent; otherwise the string, or null after recording that it is not one. */
    String string(ConfigNode value, String path, String example) {
        if (value == null) {
            return null;
        }
        if (value.isString()) {
            return value.string();
        }
        problems.addValue(value, path, "must be a string, not " + value.typeName(), "write e.g. " + example);
        return null;
    }

    /**
     * A list element that must be a string. Surrounding white space is rejected rather than trimmed: it
     * usually means a typo such as {@code "192.0.2.0/24 "} and would otherwise be invisible in messages.
     */
    String elementString(ConfigNode element, String path, String example) {
        if (!element.isString()) {
            problems.addValue(element, path, "must be a string, not " + element.typeName(), "write e.g. " + example);
            return null;
        }
        String text = element.string();
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
    static boolean isAbsent(ConfigNode value) {
        return value == null || value.isNull();
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
