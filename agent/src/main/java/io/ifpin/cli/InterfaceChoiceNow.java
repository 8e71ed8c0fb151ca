package io.ifpin.cli;

import io.ifpin.os.ErrnoException;
import io.ifpin.os.LinkMessages;
import io.ifpin.os.Routes;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Rule;

import java.util.StringJoiner;

/**
 * For {@code check} and {@code explain}: which of a rule's interfaces the agent would use now, and why, from the
 * links as they are (the agent's link monitor decides the same way: the first that is up, running, with carrier).
 */
final class InterfaceChoiceNow {

    /** @param chosen the interface a socket would be pinned to now, or null when none is usable */
    record Now(String chosen, String why) {
    }

    private InterfaceChoiceNow() {
    }

    static Now of(Rule rule, Routes routes) {
        if (routes == null) {
            return new Now(null, "link state not available");
        }
        StringJoiner states = new StringJoiner(", ");
        String chosen = null;
        for (String name : rule.interfaces()) {
            String state;
            try {
                Routes.Link link = routes.link(routes.interfaceIndex(name));
                state = link == null ? "does not exist" : !link.isUp() ? "is down"
                        : LinkMessages.usable(link.flags()) ? "is up" : "is up without carrier";
                if (chosen == null && link != null && LinkMessages.usable(link.flags())) {
                    chosen = name;
                }
            } catch (ErrnoException e) {
                state = "cannot be read (" + e.getMessage() + ")";
            }
            states.add(name + " " + state);
        }
        String list = String.join(", ", rule.interfaces());
        if (chosen != null) {
            return new Now(chosen, "would use " + chosen + " now, the first of [" + list + "] that is up (" + states
                    + ")");
        }
        String then = rule.onError() == OnError.FAIL_CLOSED ? "refused (on-error = fail-closed)"
                : "let go unpinned (fail-open)";
        return new Now(null, "none of [" + list + "] is up now (" + states + "): a socket "
                + (rule.waitForInterfaceMillis() > 0 ? "would wait up to " + rule.waitForInterfaceMillis()
                + " ms for one, then be " + then : "would be pinned to " + rule.interfaceName() + ", the first, as"
                + " with one interface"));
    }
}
