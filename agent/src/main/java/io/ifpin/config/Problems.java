package io.ifpin.config;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

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
    void addValue(ConfigValue value, String path, String problem, String fix) {
        add(value.origin(), path + " = " + render(value), problem, fix);
    }

    /**
     * A problem at {@code origin} (null: the file as a whole) about {@code subject}, a key path
     * with or without its value (null: none, e.g. a syntax error).
     */
    void add(ConfigOrigin origin, String subject, String problem, String fix) {
        StringBuilder line = new StringBuilder(location(origin)).append(": ");
        if (subject != null) {
            line.append(subject).append(": ");
        }
        line.append(withoutFinalPeriod(problem)).append(". Fix: ").append(fix);
        if (!fix.endsWith(".") && !fix.endsWith("?")) {
            line.append('.');
        }
        problems.add(new Problem(origin == null ? -1 : origin.lineNumber(), line.toString()));
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

    /** {@code file:line}, or just {@code file} when the line is unknown. */
    String location(ConfigOrigin origin) {
        if (origin == null) {
            return source;
        }
        // An included file names itself; text from parse() and merged values do not.
        String file = origin.filename() != null ? origin.filename() : source;
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
    }

    /** The value as HOCON/JSON (strings quoted), shortened so one problem stays one readable line. */
    static String render(ConfigValue value) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            return "{...}";
        }
        String text = value.render(ConfigRenderOptions.concise());
        return text.length() <= MAX_VALUE_LENGTH ? text : text.substring(0, MAX_VALUE_LENGTH - 3) + "...";
    }

    private static String withoutFinalPeriod(String text) {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
