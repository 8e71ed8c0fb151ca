package io.ifpin.learn;

import io.ifpin.rules.Protocol;

import java.time.Instant;
import java.util.TreeSet;

/**
 * One destination the application reached, as one learned rule would name it: by the host name it asked for, or by
 * address; one protocol; and what happened to it ({@link Outcome}). Collects the ports seen, how often and when.
 */
final class Destination {

    /** What the learned config does with the destination: allow it, or pin it to an interface. */
    record Outcome(String interfaceName, String ruleName) implements Comparable<Outcome> {
        static final Outcome ALLOW = new Outcome(null, null);
        /** The interface of a pin by a rule with only a source or a mark (issue 16). */
        static final String NO_INTERFACE = "";

        boolean pins() {
            return interfaceName != null;
        }

        @Override
        public int compareTo(Outcome other) {
            return key().compareTo(other.key());
        }

        private String key() {
            return pins() ? "1|" + interfaceName + "|" + ruleName : "0";
        }
    }

    /** The destination's identity: a host name ({@code byName}) or an address in its canonical form. */
    record Key(Outcome outcome, Protocol protocol, boolean byName, String target) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int c = outcome.compareTo(other.outcome);
            if (c == 0) {
                c = protocol.compareTo(other.protocol);
            }
            if (c == 0) {
                c = Boolean.compare(other.byName, byName); // names first
            }
            return c != 0 ? c : target.compareTo(other.target);
        }
    }

    final Key key;
    final TreeSet<Integer> ports = new TreeSet<>();
    long count;
    Instant first;
    Instant last;

    Destination(Key key) {
        this.key = key;
    }

    void seen(int port, Instant time) {
        ports.add(port);
        count++;
        if (first == null || time.isBefore(first)) {
            first = time;
        }
        if (last == null || time.isAfter(last)) {
            last = time;
        }
    }

    /** A copy without {@code ports} (left to another rule); the counts and times stay those of all ports. */
    Destination without(java.util.Set<Integer> removed) {
        Destination copy = new Destination(key);
        copy.ports.addAll(ports);
        copy.ports.removeAll(removed);
        copy.count = count;
        copy.first = first;
        copy.last = last;
        return copy;
    }

    /** {@code api.corp.example tcp 443, 8443: 12 decisions, first ..., last ...}. */
    String comment() {
        return key.target + " " + key.protocol.label() + " " + PortRanges.text(ports) + ": " + count
                + (count == 1 ? " decision" : " decisions") + ", first " + first + ", last " + last;
    }
}
