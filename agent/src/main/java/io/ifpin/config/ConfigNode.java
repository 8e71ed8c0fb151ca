package io.ifpin.config;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One value of a parsed config, with where it was written: an object, a list, a string, a number, a boolean or null.
 * Immutable. {@link ConfigReader} reads only these; {@link FastHoconParser} builds them directly, and
 * {@link TypesafeHocon} converts what Typesafe Config parses (includes, substitutions, JSON and properties files,
 * everything the fast parser declines) into the same values with the same origins.
 *
 * <p>Why not Typesafe Config's own values: building and reading them loads and initialises about 50 of its classes
 * (its value types, its origins and their merge logic), about 16 ms of every JVM's premain for a config as small as
 * {@code ifpin { rules = [] }} (docs/dev/performance.md, "Startup"). One class with a kind, not a class per kind: fewer
 * classes to load, and no enum switch (whose synthetic switch-map class another class would load).
 */
final class ConfigNode {
    private static final int OBJECT = 0;
    private static final int LIST = 1;
    private static final int STRING = 2;
    private static final int NUMBER = 3;
    private static final int BOOLEAN = 4;
    private static final int NULL = 5;
    private static final String[] TYPE_NAMES = {"an object", "a list", "a string", "a number", "a boolean", "null"};

    /** An object with no keys and no origin: the {@code ifpin} block of a config that has none. */
    static final ConfigNode EMPTY_OBJECT = new ConfigNode(OBJECT, Collections.emptyMap(), List.of(), null);

    private final int kind;
    /** {@code Map<String, ConfigNode>} (unmodifiable), {@code List<ConfigNode>}, String, Number, Boolean, or null. */
    private final Object value;
    /**
     * An object's keys in order (Typesafe's, or as written): a list beside a HashMap rather than a LinkedHashMap,
     * whose key set and iterator are two more JDK classes outside the class-data archive in every premain.
     */
    private final List<String> keys;
    private final Origin origin;

    private ConfigNode(int kind, Object value, List<String> keys, Origin origin) {
        this.kind = kind;
        this.value = value;
        this.keys = keys;
        this.origin = origin;
    }

    private ConfigNode(int kind, Object value, Origin origin) {
        this(kind, value, null, origin);
    }

    /**
     * @param keys   the keys in order, each once
     * @param fields the same keys with their values; taken over, not copied: the caller keeps no reference
     */
    static ConfigNode object(List<String> keys, Map<String, ConfigNode> fields, Origin origin) {
        return new ConfigNode(OBJECT, Collections.unmodifiableMap(fields), List.copyOf(keys), origin);
    }

    /** @param elements taken over, not copied: the caller keeps no reference */
    static ConfigNode list(List<ConfigNode> elements, Origin origin) {
        return new ConfigNode(LIST, Collections.unmodifiableList(elements), origin);
    }

    static ConfigNode string(String text, Origin origin) {
        return new ConfigNode(STRING, text, origin);
    }

    /** @param number an Integer, Long or Double, as HOCON's tokenizer makes them */
    static ConfigNode number(Number number, Origin origin) {
        return new ConfigNode(NUMBER, number, origin);
    }

    static ConfigNode bool(boolean value, Origin origin) {
        return new ConfigNode(BOOLEAN, value, origin);
    }

    static ConfigNode nullValue(Origin origin) {
        return new ConfigNode(NULL, null, origin);
    }

    /** Where the value was written; null for {@link #EMPTY_OBJECT}. */
    Origin origin() {
        return origin;
    }

    boolean isObject() {
        return kind == OBJECT;
    }

    boolean isList() {
        return kind == LIST;
    }

    boolean isString() {
        return kind == STRING;
    }

    boolean isNumber() {
        return kind == NUMBER;
    }

    boolean isBoolean() {
        return kind == BOOLEAN;
    }

    boolean isNull() {
        return kind == NULL;
    }

    /** "an object", "a list", "a string", "a number", "a boolean" or "null", as problem lines name them. */
    String typeName() {
        return TYPE_NAMES[kind];
    }

    // ---- objects ----

    /** The value of {@code key} in this object, or null when it has none. */
    ConfigNode get(String key) {
        return fields().get(key);
    }

    /** The keys of this object, in the order written (Typesafe Config's order, for the values it parsed). */
    List<String> keys() {
        fields(); // only an object has keys
        return keys;
    }

    @SuppressWarnings("unchecked")
    private Map<String, ConfigNode> fields() {
        if (kind != OBJECT) {
            throw new IllegalStateException("not an object: " + typeName());
        }
        return (Map<String, ConfigNode>) value;
    }

    // ---- lists ----

    /** The elements of this list. */
    @SuppressWarnings("unchecked")
    List<ConfigNode> elements() {
        if (kind != LIST) {
            throw new IllegalStateException("not a list: " + typeName());
        }
        return (List<ConfigNode>) value;
    }

    /** The number of keys of an object or elements of a list. */
    int size() {
        return kind == OBJECT ? fields().size() : elements().size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    // ---- scalars ----

    String string() {
        if (kind != STRING) {
            throw new IllegalStateException("not a string: " + typeName());
        }
        return (String) value;
    }

    /** An Integer, a Long or a Double. */
    Number number() {
        if (kind != NUMBER) {
            throw new IllegalStateException("not a number: " + typeName());
        }
        return (Number) value;
    }

    boolean bool() {
        if (kind != BOOLEAN) {
            throw new IllegalStateException("not a boolean: " + typeName());
        }
        return (Boolean) value;
    }

    // ---- rendering, equality ----

    /**
     * The value as JSON on one line, exactly as Typesafe Config renders it with {@code ConfigRenderOptions.concise()}
     * (problem lines show it): strings quoted with JSON escapes, an object's keys sorted (keys of digits first, by
     * number), numbers as Java prints them. {@code TypesafeHoconTest} holds the two equal.
     */
    String render() {
        StringBuilder out = new StringBuilder();
        render(out);
        return out.toString();
    }

    private void render(StringBuilder out) {
        switch (kind) {
            case OBJECT -> {
                Map<String, ConfigNode> fields = fields();
                if (fields.isEmpty()) {
                    out.append("{}");
                    return;
                }
                String[] keys = this.keys.toArray(new String[0]);
                Arrays.sort(keys, RenderOrder.INSTANCE);
                out.append('{');
                for (int i = 0; i < keys.length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    renderString(keys[i], out);
                    out.append(':');
                    fields.get(keys[i]).render(out);
                }
                out.append('}');
            }
            case LIST -> {
                List<ConfigNode> elements = elements();
                out.append('[');
                for (int i = 0; i < elements.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    elements.get(i).render(out);
                }
                out.append(']');
            }
            case STRING -> renderString((String) value, out);
            case NULL -> out.append("null");
            default -> out.append(value); // numbers and booleans as Java prints them, as Typesafe does
        }
    }

    /**
     * A JSON string as Typesafe Config's {@code renderJsonString} writes it: only C0 controls become {@code \}u.
     * Not {@code io.ifpin.log.Json}'s: that writes backspace and form feed as {@code \}u escapes, in the audit log.
     */
    private static void renderString(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Typesafe Config's order of keys when it renders an object: keys of digits first, by number, then the others. */
    private static final class RenderOrder implements Comparator<String> {
        static final RenderOrder INSTANCE = new RenderOrder();

        @Override
        public int compare(String a, String b) {
            boolean aDigits = allDigits(a);
            boolean bDigits = allDigits(b);
            if (aDigits && bDigits) {
                return new BigInteger(a).compareTo(new BigInteger(b));
            }
            if (aDigits != bDigits) {
                return aDigits ? -1 : 1;
            }
            return a.compareTo(b);
        }

        private static boolean allDigits(String text) {
            if (text.isEmpty()) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                if (!Character.isDigit(text.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Equal kind, value and origin, all the way down: an object's keys in any order, a number of the same Java type
     * ({@code Integer.equals} is false for a Long).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ConfigNode node && kind == node.kind && Objects.equals(origin, node.origin)
                && Objects.equals(value, node.value);
    }

    @Override
    public int hashCode() {
        return kind * 31 + (value == null ? 0 : value.hashCode());
    }

    /** The rendered value and its origin: for test failures. */
    @Override
    public String toString() {
        return render() + " @" + origin;
    }

    /**
     * Where a value was written: the file as problem lines name it, and the line (0 or less: unknown). Immutable; the
     * fast parser shares one per line.
     */
    static final class Origin {
        private final String file;
        private final int line;

        Origin(String file, int line) {
            this.file = file;
            this.line = line;
        }

        String file() {
            return file;
        }

        int line() {
            return line;
        }

        /** {@code file:line}, or the file alone when the line is unknown. */
        String location() {
            return line > 0 ? file + ":" + line : file;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Origin origin && line == origin.line && file.equals(origin.file);
        }

        @Override
        public int hashCode() {
            return file.hashCode() * 31 + line;
        }

        @Override
        public String toString() {
            return location();
        }
    }
}
