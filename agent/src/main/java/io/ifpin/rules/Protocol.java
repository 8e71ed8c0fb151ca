package io.ifpin.rules;

import java.util.Locale;

/** Transport protocol of a socket; a rule may restrict itself to one of them. */
public enum Protocol {
    TCP,
    UDP;

    /** Parses {@code tcp} / {@code udp}, case-insensitively. */
    public static Protocol parse(String text) {
        for (Protocol protocol : values()) {
            if (protocol.name().equalsIgnoreCase(text)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("unknown protocol \"" + text + "\"; allowed: tcp, udp");
    }

    /** The config spelling, e.g. {@code tcp}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
