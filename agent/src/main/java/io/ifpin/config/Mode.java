package io.ifpin.config;

import java.util.Locale;

/**
 * {@code ifpin.mode}: whether decisions are carried out ({@code enforce}) or only counted, logged and audited as what
 * would have happened ({@code observe}, for rolling out a policy: docs/deployment.md, "Rolling out an egress
 * policy").
 */
public enum Mode {
    ENFORCE,
    OBSERVE;

    /** The system property that overrides {@code ifpin.mode} for the JVM's life (startup and every reload). */
    public static final String PROPERTY = "ifpin.mode";
    /** The spellings accepted by {@link #parse}, for messages. */
    public static final String ALLOWED = "enforce, observe";

    /**
     * Parses a mode name case-insensitively.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Mode parse(String text) {
        for (Mode mode : values()) {
            if (mode.name().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode \"" + text + "\"; allowed: " + ALLOWED);
    }

    /** The config spelling, e.g. {@code observe}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
