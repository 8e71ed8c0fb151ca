package io.ifpin.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/** Ports as rule text: consecutive ports become one range, which matches exactly the ports seen (nothing wider). */
final class PortRanges {
    private PortRanges() {
    }

    /** {@code [443, "8000-8002"]}: the HOCON list of a rule's {@code ports}. */
    static String hocon(SortedSet<Integer> ports) {
        List<String> items = new ArrayList<>();
        for (int[] range : ranges(ports)) {
            items.add(range[0] == range[1] ? Integer.toString(range[0]) : "\"" + range[0] + "-" + range[1] + "\"");
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** {@code 443, 8000-8002}: for comments. */
    static String text(SortedSet<Integer> ports) {
        List<String> items = new ArrayList<>();
        for (int[] range : ranges(ports)) {
            items.add(range[0] == range[1] ? Integer.toString(range[0]) : range[0] + "-" + range[1]);
        }
        return String.join(", ", items);
    }

    private static List<int[]> ranges(SortedSet<Integer> ports) {
        List<int[]> ranges = new ArrayList<>();
        for (int port : ports) {
            int[] lastRange = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (lastRange != null && lastRange[1] + 1 == port) {
                lastRange[1] = port;
            } else {
                ranges.add(new int[] {port, port});
            }
        }
        return ranges;
    }
}
