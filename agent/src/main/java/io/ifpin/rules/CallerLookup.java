package io.ifpin.rules;

/**
 * Finds the class that opened a socket, for rules with {@code callers}. Asked at most once per match, and only when a
 * rule with callers is otherwise a match: finding it walks the stack.
 */
@FunctionalInterface
public interface CallerLookup {

    /**
     * For callers that cannot tell: rules with {@code callers} never match. An anonymous class, not a lambda: the
     * interface is initialised on premain's thread ({@link RuleSet#warmUp}, from {@code PendingHook}), where a
     * lambda's bootstrap costs milliseconds, and initialised on an application thread it made every other first
     * connect wait for it.
     */
    CallerLookup UNKNOWN = new CallerLookup() {
        @Override
        public String callerClassName() {
            return null;
        }
    };

    /** The binary name of the class that opened the socket, or null when unknown. */
    String callerClassName();
}
