package io.ifpin.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the plain subset of HOCON that ifpin configs are written in, into {@link ConfigNode}s equal, origins (file
 * and line) included, to those {@link TypesafeHocon} makes of Typesafe Config's own parse; it declines (empty)
 * anything else.
 *
 * <p>Why: Typesafe Config's parser costs 30 ms of a cold JVM for a three-rule file and over 100 ms for 1,000 rules
 * (its tokenizer, document tree and 118 classes, run by the interpreter), and the config is read on the main thread
 * before the application starts (docs/dev/architecture.md, "Config loading"). This parser is one pass over the
 * characters, and loads none of Typesafe's classes.
 *
 * <p>The subset: objects ({@code key = value}, {@code key: value}, {@code key { ... }}), lists, double-quoted strings
 * with JSON escapes, unquoted words ({@code deny}, {@code fail-closed}, {@code /var/log/x.log}), whole numbers and a
 * number directly followed by a unit ({@code 10s}, {@code 50M}, which HOCON reads as the string), {@code true},
 * {@code false}, {@code null}, dotted keys ({@code metrics.jmx = true}), {@code #} and {@code //} comments, commas or
 * new lines between elements, a braceless or braced root. It declines whatever else HOCON allows or refuses:
 * {@code include}, substitutions {@code ${...}}, {@code +=}, triple-quoted strings, a key given twice in one object
 * (HOCON merges or overrides), values concatenated across white space, other numbers, white space other than space,
 * tab and CR/LF, a new line between a key and its value (Typesafe's object origins would not count it), and every
 * syntax error. The caller then runs Typesafe Config's parser, which reads it or reports the problem in its words.
 * {@code FastHoconParserDifferentialTest} proves the trees equal on the samples, the tests' configs and random ones.
 */
final class FastHoconParser {
    /** Whole numbers with more digits may not fit a long: left to Typesafe (which reads them as strings if not). */
    private static final int MAX_DIGITS = 18;

    private final String text;
    private final String name;
    /** Origins by line, created once per line: a line often holds a rule's brace and several of its values. */
    private final List<ConfigNode.Origin> origins = new ArrayList<>();
    private int pos;
    private int line = 1;

    private FastHoconParser(String text, String name) {
        this.text = text;
        this.name = name;
    }

    /**
     * The root object of {@code text}, read from {@code file}, as {@code ConfigLoader.parseFile}'s full parse reads it
     * (its origins are named by the file's path, as that parse names them), or empty when this parser declines it:
     * named as JSON or properties (Typesafe Config reads those in another syntax), or outside the subset.
     */
    static Optional<ConfigNode> parseFileText(Path file, String text) {
        String name = file.toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json") || lower.endsWith(".properties")) {
            return Optional.empty();
        }
        return parse(text, name);
    }

    /**
     * The root object of {@code text} as Typesafe Config parses it with origin description {@code name} (the file
     * name in messages), or empty when the text is outside the subset. A fault of this parser (an exception, a stack overflow on absurd nesting) is a decline
     * too: the full parse then decides as it always did.
     */
    static Optional<ConfigNode> parse(String text, String name) {
        try {
            return Optional.of(new FastHoconParser(text, name).document());
        } catch (RuntimeException | StackOverflowError e) { // Declined is a RuntimeException
            return Optional.empty();
        }
    }

    /** Why the text is declined, or null when it is parsed: for tests, which see a fault of this parser as it is. */
    static String declineReason(String text) {
        try {
            new FastHoconParser(text, "test").document();
            return null;
        } catch (Declined e) {
            return e.getMessage();
        }
    }

    // ---- grammar ----

    private ConfigNode document() {
        skipBlankLinesAndComments();
        ConfigNode root;
        if (peek() == '{') {
            // Typesafe's origin for a braced root is the line of its brace.
            int braceLine = line;
            pos++;
            root = objectBody(braceLine, true);
            skipBlankLinesAndComments();
        } else {
            root = objectBody(1, false);
        }
        if (pos < text.length()) {
            throw decline("text after the root object");
        }
        return root;
    }

    /**
     * The fields of an object up to its closing brace (consumed), or to the end of the text for a braceless root.
     * Fields are separated by a comma, new lines, or both; one trailing comma is allowed.
     */
    private ConfigNode objectBody(int originLine, boolean braced) {
        List<String> keys = new ArrayList<>();
        Map<String, ConfigNode> fields = new HashMap<>();
        while (true) {
            skipBlankLinesAndComments();
            int c = peek();
            if (c == '}') {
                if (!braced) {
                    throw decline("unbalanced }");
                }
                pos++;
                break;
            }
            if (c == -1) {
                if (braced) {
                    throw decline("end of text inside an object");
                }
                break;
            }
            field(keys, fields);
            if (!afterElement()) {
                // No comma or new line: the object must end here.
                c = peek();
                if (c == '}' && braced) {
                    pos++;
                    break;
                }
                if (c == -1 && !braced) {
                    break;
                }
                throw decline("expected a comma, a new line or the end of the object");
            }
        }
        return ConfigNode.object(keys, fields, origin(originLine));
    }

    private void field(List<String> keys, Map<String, ConfigNode> fields) {
        List<String> path = key();
        skipSpaces();
        int c = peek();
        ConfigNode value;
        if (c == '{') {
            value = value();
        } else if (c == '=' || c == ':') {
            pos++;
            skipSpaces();
            value = value();
        } else {
            throw decline("a key not followed by =, : or {");
        }
        // Dotted keys: the objects made for a.b.c carry the value's origin, as in Typesafe's parser.
        for (int i = path.size() - 1; i > 0; i--) {
            value = ConfigNode.object(List.of(path.get(i)), Map.of(path.get(i), value), value.origin());
        }
        if (fields.putIfAbsent(path.get(0), value) != null) {
            throw decline("key " + path.get(0) + " given twice (HOCON merges or overrides)");
        }
        keys.add(path.get(0));
    }

    /** A key: segments joined by dots, each an unquoted word or a quoted string. */
    private List<String> key() {
        List<String> path = new ArrayList<>(2);
        while (true) {
            int c = peek();
            String segment;
            if (c == '"') {
                segment = quotedString();
            } else if (isLetter(c)) {
                int start = pos;
                while (isLetter(peek()) || isDigit(peek()) || peek() == '-' || peek() == '_') {
                    pos++;
                }
                segment = text.substring(start, pos);
                if (path.isEmpty() && segment.equals("include")) {
                    throw decline("include");
                }
                if (startsWithKeyword(segment)) {
                    throw decline("a key starting with true, false or null");
                }
            } else {
                throw decline("expected a key");
            }
            if (segment.isEmpty()) {
                throw decline("an empty key");
            }
            path.add(segment);
            if (peek() != '.') {
                return path;
            }
            pos++;
        }
    }

    private ConfigNode value() {
        int c = peek();
        int valueLine = line;
        if (c == '{') {
            pos++;
            return objectBody(valueLine, true);
        }
        if (c == '[') {
            pos++;
            return list(valueLine);
        }
        if (c == '"') {
            return ConfigNode.string(quotedString(), origin(valueLine));
        }
        if (isDigit(c) || c == '-') {
            return number(valueLine);
        }
        if (isLetter(c) || c == '/') {
            return word(valueLine);
        }
        throw decline("a value this parser does not read");
    }

    /** The elements of a list up to its closing bracket (consumed); one trailing comma is allowed. */
    private ConfigNode list(int originLine) {
        List<ConfigNode> elements = new ArrayList<>();
        skipBlankLinesAndComments();
        if (peek() == ']') {
            pos++;
            return ConfigNode.list(elements, origin(originLine));
        }
        while (true) {
            elements.add(value());
            boolean separated = afterElement();
            if (peek() == ']') {
                pos++;
                break;
            }
            if (!separated) {
                throw decline("expected a comma, a new line or ]");
            }
        }
        return ConfigNode.list(elements, origin(originLine));
    }

    /**
     * After a value: spaces, an optional comment, then new lines and at most one comma, and the blank lines and
     * comments after them. True if a comma or a new line was seen (another element may follow). Anything else on
     * the value's line (a second value, which HOCON would concatenate) is left for the caller to refuse.
     */
    private boolean afterElement() {
        boolean separated = false;
        while (true) {
            skipSpaces();
            int c = peek();
            if (c == '#' || (c == '/' && peekAt(1) == '/')) {
                skipComment();
            } else if (c == '\n') {
                pos++;
                line++;
                separated = true;
            } else if (c == ',') {
                pos++;
                skipBlankLinesAndComments();
                if (peek() == ',') {
                    throw decline("two commas");
                }
                return true;
            } else {
                return separated;
            }
        }
    }

    /** A whole number, or a whole number directly followed by a unit, which HOCON reads as the string "10s". */
    private ConfigNode number(int valueLine) {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int digitsStart = pos;
        while (isDigit(peek())) {
            pos++;
        }
        int digits = pos - digitsStart;
        if (digits == 0 || (digits > 1 && text.charAt(digitsStart) == '0')) {
            throw decline("not a plain whole number");
        }
        int c = peek();
        if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
            throw decline("a decimal number or a range written without quotes");
        }
        if (isLetter(c)) {
            if (text.charAt(start) == '-') {
                throw decline("a negative number with a unit");
            }
            int unitStart = pos;
            while (isLetter(peek())) {
                pos++;
            }
            if (startsWithKeyword(text.substring(unitStart, pos))) {
                throw decline("a unit starting with true, false or null");
            }
            requireValueEnd();
            return ConfigNode.string(text.substring(start, pos), origin(valueLine));
        }
        requireValueEnd();
        if (digits > MAX_DIGITS) {
            // Declined rather than caught: a catch of NumberFormatException would load it in every premain.
            throw decline("a number too large");
        }
        long number = Long.parseLong(text, start, pos, 10);
        // As Typesafe's tokenizer: an int when it fits, else a long (an if, not ?:, which would box both as Long).
        Number boxed;
        if (number == (int) number) {
            boxed = (int) number;
        } else {
            boxed = number;
        }
        return ConfigNode.number(boxed, origin(valueLine));
    }

    /** An unquoted word: true, false, null, or a string such as {@code deny} or {@code /var/log/ifpin.log}. */
    private ConfigNode word(int valueLine) {
        int start = pos;
        while (true) {
            int c = peek();
            if (isLetter(c) || isDigit(c) || c == '-' || c == '_' || c == '.' || (c == '/' && peekAt(1) != '/')) {
                pos++;
            } else {
                break;
            }
        }
        if (pos == start) {
            throw decline("a comment where a value should be");
        }
        requireValueEnd();
        String word = text.substring(start, pos);
        switch (word) {
            case "true":
                return ConfigNode.bool(true, origin(valueLine));
            case "false":
                return ConfigNode.bool(false, origin(valueLine));
            case "null":
                return ConfigNode.nullValue(origin(valueLine));
            default:
                // HOCON reads "nullable" as null followed by "able", and "trueish" as true and "ish".
                if (startsWithKeyword(word)) {
                    throw decline("a word starting with true, false or null");
                }
                return ConfigNode.string(word, origin(valueLine));
        }
    }

    /** The end of a value: what follows on its line must be a separator, a closing bracket or a comment. */
    private void requireValueEnd() {
        int c = peek();
        if (c == -1 || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '}' || c == ']'
                || c == '#' || (c == '/' && peekAt(1) == '/')) {
            return;
        }
        throw decline("a value followed by " + describe(c));
    }

    /** A double-quoted string with JSON escapes; the position is on its opening quote. */
    private String quotedString() {
        pos++;
        if (text.startsWith("\"\"", pos)) {
            throw decline("a triple-quoted string");
        }
        StringBuilder out = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) {
                throw decline("an unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String value = out == null ? text.substring(runStart, pos)
                        : out.append(text, runStart, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                throw decline("a control character in a string");
            }
            if (c == '\\') {
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, runStart, pos);
                pos++;
                out.append(escape());
                runStart = pos;
            } else {
                pos++;
            }
        }
    }

    /** The character of the escape after a backslash. */
    private char escape() {
        if (pos >= text.length()) {
            throw decline("a backslash at the end");
        }
        char c = text.charAt(pos++);
        switch (c) {
            case '"':
            case '\\':
            case '/':
                return c;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (pos + 4 > text.length()) {
                    throw decline("a short \\u escape");
                }
                int code = 0;
                for (int i = 0; i < 4; i++) {
                    char hex = text.charAt(pos++);
                    int digit = hex < 0x80 ? Character.digit(hex, 16) : -1;
                    if (digit < 0) {
                        throw decline("a malformed \\u escape");
                    }
                    code = code * 16 + digit;
                }
                return (char) code;
            default:
                throw decline("an unknown escape");
        }
    }

    // ---- white space, comments, origins ----

    private void skipSpaces() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private void skipBlankLinesAndComments() {
        while (true) {
            skipSpaces();
            int c = peek();
            if (c == '\n') {
                pos++;
                line++;
            } else if (c == '#' || (c == '/' && peekAt(1) == '/')) {
                skipComment();
            } else {
                return;
            }
        }
    }

    /** To the end of the line; the new line itself is left. */
    private void skipComment() {
        int end = text.indexOf('\n', pos);
        pos = end < 0 ? text.length() : end;
    }

    private ConfigNode.Origin origin(int valueLine) {
        while (origins.size() <= valueLine) {
            origins.add(null);
        }
        ConfigNode.Origin origin = origins.get(valueLine);
        if (origin == null) {
            origin = new ConfigNode.Origin(name, valueLine);
            origins.set(valueLine, origin);
        }
        return origin;
    }

    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private int peekAt(int offset) {
        return pos + offset < text.length() ? text.charAt(pos + offset) : -1;
    }

    private static boolean isLetter(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean startsWithKeyword(String word) {
        return word.startsWith("true") || word.startsWith("false") || word.startsWith("null");
    }

    private static String describe(int c) {
        return c == -1 ? "the end" : "'" + (char) c + "'";
    }

    private Declined decline(String reason) {
        return new Declined(reason + " (line " + line + ")");
    }

    /** Thrown to give up: cheap (no stack trace), and only ever caught in this class. */
    private static final class Declined extends RuntimeException {
        Declined(String reason) {
            super(reason, null, false, false);
        }
    }
}
