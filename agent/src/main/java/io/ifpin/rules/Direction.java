package io.ifpin.rules;

import java.util.Locale;

/**
 * Which sockets a rule pins: {@link #OUTBOUND} (the default) pins sockets before they connect or send to a matching
 * destination; {@link #INBOUND} pins listening sockets bound to a matching local address and port, so they only
 * accept connections that arrive on the rule's interface.
 */
public enum Direction {
    OUTBOUND,
    INBOUND;

    /** Parses {@code outbound} / {@code inbound}, case-insensitively. */
    public static Direction parse(String text) {
        for (Direction direction : values()) {
            if (direction.name().equalsIgnoreCase(text)) {
                return direction;
            }
        }
        throw new IllegalArgumentException("unknown direction \"" + text + "\"; allowed: outbound, inbound");
    }

    /** The config spelling, e.g. {@code inbound}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
