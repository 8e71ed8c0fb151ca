package io.ifpin.rules;

import java.util.Locale;

/** What a rule does with the sockets it matches. */
public enum Action {
    /** Bind the socket to the rule's interface ({@code SO_BINDTODEVICE}). */
    PIN,
    /** Leave the socket exactly as it is and stop matching: an exception carved out of later rules. */
    ALLOW,
    /** Refuse the connect or send before any packet leaves; the application gets an ordinary socket exception. */
    DENY;

    /** The config spellings, for messages. */
    public static final String ALLOWED = "pin, allow or deny";

    /** Parses {@code pin} / {@code allow} / {@code deny}, case-insensitively. */
    public static Action parse(String text) {
        for (Action action : values()) {
            if (action.name().equalsIgnoreCase(text)) {
                return action;
            }
        }
        throw new InvalidValueException("unknown action", "use one of " + ALLOWED);
    }

    /** The config spelling, e.g. {@code deny}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
