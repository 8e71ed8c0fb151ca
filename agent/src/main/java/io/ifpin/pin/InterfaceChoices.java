package io.ifpin.pin;

import io.ifpin.link.InterfaceChoice;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;

/**
 * The pinner's side of {@link InterfaceChoice}: what a socket of a rule with a list of interfaces, or a
 * {@code wait-for-interface}, does when the monitor says none is usable, and the words for when it gives up.
 */
final class InterfaceChoices {

    /** The cause in counters, audit lines and outage reports when no interface came up in time. */
    static final String NO_INTERFACE = "no-interface";

    private InterfaceChoices() {
    }

    /**
     * The position of the interface to pin to after waiting up to the rule's {@code wait-for-interface}, or
     * {@link InterfaceChoice#NONE} when it waited and none came up. Without a wait, and while the link state is not
     * known, the first interface: what a rule with one interface does.
     */
    static int awaitUsable(InterfaceChoice choice, Rule rule) {
        int via = choice.inUse();
        long wait = rule.waitForInterfaceMillis();
        if (via < 0 && wait > 0) {
            via = choice.await(wait);
            if (via == InterfaceChoice.NONE) {
                return via;
            }
        }
        return Math.max(via, 0);
    }

    /** {@code waited 1500 ms for c0 or b0}. */
    static String waited(Rule rule) {
        return "waited " + rule.waitForInterfaceMillis() + " ms for " + String.join(" or ", rule.interfaces());
    }

    /** The operator's line when a socket gave up waiting. */
    static String gaveUp(Rule rule, InterfaceChoice choice, String socket) {
        String interfaces = String.join(" or ", rule.interfaces());
        return "rule '" + rule.name() + "' (" + rule.origin() + "): " + socket + " " + waited(rule) + " and none came"
                + " up (" + choice.states() + "). The socket "
                + (rule.onError() == OnError.FAIL_CLOSED ? "is refused (on-error = fail-closed)"
                : "proceeds unpinned (fail-open)") + ". Fix: bring up " + interfaces + " (ip link), list a fallback"
                + " interface that is up, or raise wait-for-interface if the interface comes up later.";
    }
}
