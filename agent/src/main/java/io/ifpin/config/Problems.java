package io.ifpin.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects config problems and formats each as one operator-readable line:
 * {@code <file>:<line>: <key path> = <value>: <what is wrong>. Fix: <how to fix it>.}
 */
final class Problems {
    private static final int MAX_VALUE_LENGTH = 60;

    private record Problem(int line, String text) {
    }

    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    /** @param source the file name used when an origin names none (text parsed by {@link ConfigLoader#parse}) */
    Problems(String source) {
        this.source = source;
    }

    /** A problem with a value; the line and the value come from the value itself. */
    void addValue(ConfigNode value, String path, String problem, String fix) {
        add(value.origin(), path + " = " + render(value), problem, fix);
    }

    /**
     * A problem at {@code origin} (null: the file as a whole) about {@code subject}, a key path
     * with or without its value (null: none, e.g. a syntax error).
     */
    void add(ConfigNode.Origin origin, String subject, String problem, String fix) {
        StringBuilder line = new StringBuilder(location(origin)).append(": ");
        if (subject != null) {
            line.append(subject).append(": ");
        }
        line.append(withoutFinalPeriod(problem)).append(". Fix: ").append(fix);
        if (!fix.endsWith(".") && !fix.endsWith("?")) {
            line.append('.');
        }
        problems.add(new Problem(origin == null ? -1 : origin.line(), escape(line.toString())));
    }

    int count() {
        return problems.size();
    }

    void throwIfAny() throws InvalidConfigException {
        if (!problems.isEmpty()) {
            throw toException();
        }
    }

    /** Problems in file order: HOCON objects do not keep their keys in order, so they are found out of order. */
    InvalidConfigException toException() {
        List<String> lines = problems.stream()
                .sorted(Comparator.comparingInt(Problem::line))
                .map(Problem::text)
                .toList();
        return new InvalidConfigException(source, lines);
    }

    /** {@code file:line}, or just {@code file} when the line is unknown or there is no origin. */
    String location(ConfigNode.Origin origin) {
        return origin == null ? source : origin.location();
    }

    /**
     * What ifpin echoes from a config, made printable: control characters (ESC, newline, ...), Unicode format
     * characters (bidirectional overrides) and line separators become the two characters {@code \n}, {@code \t},
     * {@code \r}, or a backslash, {@code u} and four hex digits, so a config cannot write terminal escapes or fake
     * log lines into an operator's terminal. Applied to every problem line, whatever part of it came from the file.
     */
    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPrintable(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }

    /** False for what {@link #escape} escapes. */
    static boolean isPrintable(char c) {
        if (Character.isISOControl(c)) {
            return false;
        }
        int type = Character.getType(c);
        return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }

    /** The value as HOCON/JSON (strings quoted), shortened so one problem stays one readable line. */
    static String render(ConfigNode value) {
        if (value.isObject()) {
            return "{...}";
        }
        String text = value.render();
        return text.length() <= MAX_VALUE_LENGTH ? text : text.substring(0, MAX_VALUE_LENGTH - 3) + "...";
    }

    private static String withoutFinalPeriod(String text) {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
