package io.ifpin.rules;

import java.util.Arrays;

/**
 * The networks of the rules (IPv4 or IPv6, one trie per family) as a path-compressed binary trie over 128-bit keys,
 * for {@link RuleSet}: which rules have a network that contains an address, in config order.
 *
 * <p>A node is one network that some rule names, or a branch point between two of them; a chain of single children
 * is skipped (path compression), so a lookup visits at most one node per distinct prefix on the address's path
 * plus the branch points, about 20 for 10,000 random networks instead of 10,000 rules. IPv4 networks use the top
 * 32 bits of the key ({@link Cidr#keyHigh()}).
 *
 * <p>{@link #lookup} returns the longest network containing the address; {@link Node#shorter} links it to the next
 * shorter one that also contains it, so the caller walks every containing network without allocating. Immutable
 * after {@link #build}; safe to share between threads (the fields are written before the {@code RuleSet} that holds
 * the trie is published through a final field).
 */
final class PrefixTrie {

    /** A network and the positions of the rules that name it, ascending. */
    static final class Node {
        final long high;
        final long low;
        final int length;
        private final long maskHigh;
        private final long maskLow;
        /** Ascending rule positions; null for a branch point that no rule names. */
        int[] rules;
        private int ruleCount;
        private Node zero;
        private Node one;
        /** The next shorter network with rules that contains this one, or null. */
        Node shorter;

        private Node(long high, long low, int length) {
            this.length = length;
            this.maskHigh = maskHigh(length);
            this.maskLow = maskLow(length);
            this.high = high & maskHigh;
            this.low = low & maskLow;
        }

        boolean contains(long addressHigh, long addressLow) {
            return (addressHigh & maskHigh) == high && (addressLow & maskLow) == low;
        }

        private void add(int position) {
            if (rules == null) {
                rules = new int[1];
            } else if (ruleCount == rules.length) {
                rules = Arrays.copyOf(rules, ruleCount * 2);
            }
            rules[ruleCount++] = position;
        }

        private Node child(int bit) {
            return bit == 0 ? zero : one;
        }

        private void setChild(int bit, Node child) {
            if (bit == 0) {
                zero = child;
            } else {
                one = child;
            }
        }
    }

    private final Node root = new Node(0, 0, 0);
    private final int maxLength;
    private int nodes = 1;
    private boolean empty = true;

    /** @param maxLength 32 for IPv4, 128 for IPv6 */
    PrefixTrie(int maxLength) {
        this.maxLength = maxLength;
    }

    /** Adds a network; positions must be added in ascending order (config order). */
    void add(long high, long low, int length, int position) {
        empty = false;
        Node key = new Node(high, low, length); // also masks off host bits, though Cidr never has any
        Node node = root;
        while (true) {
            if (node.length == length) {
                node.add(position);
                return;
            }
            int bit = bit(key.high, key.low, node.length);
            Node child = node.child(bit);
            if (child == null) {
                key.add(position);
                node.setChild(bit, key);
                nodes++;
                return;
            }
            int common = commonPrefix(key.high, key.low, child.high, child.low, Math.min(length, child.length));
            if (common == child.length) {
                node = child;
                continue;
            }
            // The key and the child part ways (or the key is a prefix of the child) below node: insert between.
            key.add(position);
            Node between = common == length ? key : new Node(key.high, key.low, common);
            between.setChild(bit(child.high, child.low, common), child);
            if (between != key) {
                between.setChild(bit(key.high, key.low, common), key); // they differ in this bit
                nodes++;
            }
            node.setChild(bit, between);
            nodes++;
            return;
        }
    }

    /** Trims the rule arrays and links each node with rules to its next shorter one; call once, after every add. */
    PrefixTrie build() {
        link(root, null);
        return this;
    }

    /** Recursion is bounded: a path-compressed trie is at most maxLength + 1 nodes deep. */
    private static void link(Node node, Node shorter) {
        if (node == null) {
            return;
        }
        node.shorter = shorter;
        if (node.rules != null && node.rules.length != node.ruleCount) {
            node.rules = Arrays.copyOf(node.rules, node.ruleCount);
        }
        Node forChildren = node.rules != null ? node : shorter;
        link(node.zero, forChildren);
        link(node.one, forChildren);
    }

    boolean isEmpty() {
        return empty;
    }

    /** Nodes in the trie, for tests and the memory estimate in docs/dev/performance.md. */
    int nodeCount() {
        return nodes;
    }

    /** The longest network with rules that contains the address, or null; walk on with {@link Node#shorter}. */
    Node lookup(long high, long low) {
        Node found = null;
        Node node = root;
        while (node != null && node.contains(high, low)) {
            if (node.rules != null) {
                found = node;
            }
            if (node.length == maxLength) {
                break;
            }
            node = bit(high, low, node.length) == 0 ? node.zero : node.one;
        }
        return found;
    }

    /** Bit {@code index} of the key, 0 being the most significant bit of {@code high}. */
    private static int bit(long high, long low, int index) {
        return (int) (index < 64 ? high >>> (63 - index) : low >>> (127 - index)) & 1;
    }

    /** How many leading bits the two keys share, at most {@code limit}. */
    private static int commonPrefix(long highA, long lowA, long highB, long lowB, int limit) {
        long difference = highA ^ highB;
        int common = difference != 0 ? Long.numberOfLeadingZeros(difference)
                : 64 + Long.numberOfLeadingZeros(lowA ^ lowB); // numberOfLeadingZeros(0) is 64
        return Math.min(common, limit);
    }

    // Java shifts are modulo the width, so /0 and /64 need their own cases.
    private static long maskHigh(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    private static long maskLow(int length) {
        return length <= 64 ? 0 : -1L << (128 - length);
    }
}
