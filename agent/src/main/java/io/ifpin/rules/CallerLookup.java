package io.ifpin.rules;

/**
 * Finds the class that opened a socket, for rules with {@code callers}. Asked at most once per match, and only when a
 * rule with callers is otherwise a match: finding it walks the stack.
 */
@FunctionalInterface
public interface CallerLookup {

    /** For callers that cannot tell: rules with {@code callers} never match. */
    CallerLookup UNKNOWN = () -> null;

    /** The binary name of the class that opened the socket, or null when unknown. */
    String callerClassName();
}
