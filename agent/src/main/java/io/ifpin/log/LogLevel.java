package io.ifpin.log;

import java.util.Locale;

/** Severity of ifpin's own log lines; each level includes the ones before it. */
public enum LogLevel {
    ERROR,
    WARN,
    INFO,
    DEBUG;

    /** The spellings accepted by {@link #parse}, for messages. */
    public static final String ALLOWED = "error, warn, info, debug";

    /**
     * Parses a level name case-insensitively ({@code info}, {@code DEBUG}).
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static LogLevel parse(String text) {
        for (LogLevel level : values()) {
            if (level.name().equalsIgnoreCase(text)) {
                return level;
            }
        }
        throw new IllegalArgumentException("unknown log level \"" + text + "\"; allowed: " + ALLOWED);
    }

    /** The config spelling, e.g. {@code info}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
