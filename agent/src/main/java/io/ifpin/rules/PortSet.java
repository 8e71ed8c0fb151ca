package io.ifpin.rules;

import java.util.List;
import java.util.StringJoiner;

/** The destination ports a rule applies to: every port, or a list of single ports and ranges. */
public final class PortSet {
    /** A rule without {@code ports} matches every port. */
    public static final PortSet ALL = new PortSet(null, null);

    public static final int MIN_PORT = 1;
    public static final int MAX_PORT = 65535;

    // Parallel arrays rather than a list of ranges: contains() runs on every connect.
    private final int[] lows;
    private final int[] highs;

    private PortSet(int[] lows, int[] highs) {
        this.lows = lows;
        this.highs = highs;
    }

    /** @throws IllegalArgumentException if {@code ranges} is empty (such a rule could never match) */
    public static PortSet of(List<Range> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("a port set needs at least one port");
        }
        int[] lows = new int[ranges.size()];
        int[] highs = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            lows[i] = ranges.get(i).low();
            highs[i] = ranges.get(i).high();
        }
        return new PortSet(lows, highs);
    }

    public boolean isAll() {
        return lows == null;
    }

    public boolean contains(int port) {
        if (lows == null) {
            return true;
        }
        for (int i = 0; i < lows.length; i++) {
            if (port >= lows[i] && port <= highs[i]) {
                return true;
            }
        }
        return false;
    }

    /** E.g. {@code 7000, 8000-8099}, or {@code all}. */
    @Override
    public String toString() {
        if (lows == null) {
            return "all";
        }
        StringJoiner out = new StringJoiner(", ");
        for (int i = 0; i < lows.length; i++) {
            out.add(new Range(lows[i], highs[i]).toString());
        }
        return out.toString();
    }

    /** An inclusive port range; a single port is a range of one. */
    public record Range(int low, int high) {
        private static final String FIX = "write a port like 443 or \"443\", or a range like \"8000-8099\"";

        public Range {
            if (low < MIN_PORT || high > MAX_PORT || low > high) {
                throw new IllegalArgumentException("bad port range " + low + "-" + high);
            }
        }

        /** A port given as a number; long so that out-of-range config values are reported, not wrapped. */
        public static Range single(long port) {
            return new Range(checkPort(port), (int) port);
        }

        /** {@code "443"} or {@code "8000-8099"} (inclusive). */
        public static Range parse(String text) {
            int dash = text.indexOf('-');
            if (dash < 0) {
                return single(parsePort(text));
            }
            int low = checkPort(parsePort(text.substring(0, dash)));
            int high = checkPort(parsePort(text.substring(dash + 1)));
            if (low > high) {
                throw new InvalidValueException("the range is reversed (low > high)",
                        "write \"" + high + "-" + low + "\"");
            }
            return new Range(low, high);
        }

        private static long parsePort(String digits) {
            if (digits.isEmpty() || digits.length() > 9) {
                throw new InvalidValueException("not a port number or range", FIX);
            }
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    throw new InvalidValueException("not a port number or range", FIX);
                }
            }
            return Long.parseLong(digits);
        }

        private static int checkPort(long port) {
            if (port < MIN_PORT || port > MAX_PORT) {
                throw new InvalidValueException("port " + port + " is out of range",
                        "use ports from " + MIN_PORT + " to " + MAX_PORT);
            }
            return (int) port;
        }

        @Override
        public String toString() {
            return low == high ? Integer.toString(low) : low + "-" + high;
        }
    }
}
