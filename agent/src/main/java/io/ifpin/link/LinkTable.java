package io.ifpin.link;

import io.ifpin.os.LinkMessages.Link;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The links of the namespace as the last messages described them, by index: a rename (b0 to b0gone) is a new
 * name for the same index, a VPN that reconnects is a new index with the old name. Only the monitor's thread uses it.
 */
final class LinkTable {
    private final Map<Integer, Link> byIndex = new HashMap<>();

    /** Applies messages in order; {@code seen} (may be null) collects the indexes they name, for {@link #retainOnly}. */
    void apply(List<Link> links, Set<Integer> seen) {
        for (Link link : links) {
            if (link.deleted()) {
                byIndex.remove(link.index());
            } else {
                byIndex.put(link.index(), link);
                if (seen != null) {
                    seen.add(link.index());
                }
            }
        }
    }

    /** After a dump: links the dump did not name were deleted while notifications were lost. */
    void retainOnly(Set<Integer> indexes) {
        byIndex.keySet().retainAll(indexes);
    }

    /** Some link of this name is up and running with carrier. */
    boolean usable(String name) {
        for (Link link : byIndex.values()) {
            if (link.name().equals(name) && link.usable()) {
                return true;
            }
        }
        return false;
    }

    /** {@code c0 is down}, {@code c0 is missing}, {@code c0 is up}: for log lines. */
    String describe(String name) {
        String state = "missing";
        for (Iterator<Link> it = byIndex.values().iterator(); it.hasNext(); ) {
            Link link = it.next();
            if (link.name().equals(name)) {
                state = link.state();
                if (link.usable()) {
                    break;
                }
            }
        }
        return name + " is " + state;
    }
}
