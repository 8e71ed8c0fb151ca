package io.ifpin.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host patterns of the rules as one hash table from {@link HostPattern#key()} to the positions of the rules that
 * name it, for {@link RuleSet}: which rules have a pattern that matches a requested name, in config order.
 *
 * <p>An exact name is one entry; a wildcard {@code *.corp.example} is the entry {@code .corp.example}, which a name
 * matches when it ends with it at a dot that is not its first character ({@link HostPattern#matches}). A lookup
 * hashes the name from its end, so that the hash of every suffix that starts at a dot is at hand after one pass:
 * one probe per label instead of one comparison per rule. The hash folds A-Z only, as {@code HostPattern} does.
 *
 * <p>{@link #longestWildcard} returns the longest matching wildcard; {@link Entry#shorter} links it to the next
 * shorter wildcard entry that is a suffix of it (and so matches too), so the caller walks them all without
 * allocating. Immutable after construction.
 */
final class HostIndex {

    /** One exact name or wildcard suffix and the positions of the rules that have it, ascending. */
    static final class Entry {
        final String key;
        final boolean wildcard;
        final int hash;
        final int[] rules;
        /** For a wildcard: the next shorter wildcard entry that is a suffix of this one, or null. */
        Entry shorter;

        private Entry(String key, boolean wildcard, int[] rules) {
            this.key = key;
            this.wildcard = wildcard;
            this.hash = hash(key, 0, key.length());
            this.rules = rules;
        }
    }

    private final Entry[] table;
    private final int mask;
    private final int size;

    /** @param patternsByRule the host patterns of each rule, indexed by the rule's position */
    HostIndex(List<List<HostPattern>> patternsByRule) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int position = 0; position < patternsByRule.size(); position++) {
            for (HostPattern pattern : patternsByRule.get(position)) {
                List<Integer> positions = byKey.get(pattern.key()); // no lambda: built in premain
                if (positions == null) {
                    positions = new ArrayList<>(1);
                    byKey.put(pattern.key(), positions);
                }
                if (positions.isEmpty() || positions.get(positions.size() - 1) != position) {
                    positions.add(position); // a rule that lists the same pattern twice is one candidate
                }
            }
        }
        size = byKey.size();
        int capacity = Integer.highestOneBit(Math.max(4, size * 2 - 1)) << 1; // load factor at most 1/2
        table = new Entry[capacity];
        mask = capacity - 1;
        for (Map.Entry<String, List<Integer>> byKeyEntry : byKey.entrySet()) {
            String key = byKeyEntry.getKey();
            List<Integer> positions = byKeyEntry.getValue();
            int[] array = new int[positions.size()];
            for (int i = 0; i < array.length; i++) {
                array[i] = positions.get(i);
            }
            Entry entry = new Entry(key, key.charAt(0) == '.', array);
            int slot = spread(entry.hash) & mask;
            while (table[slot] != null) {
                slot = (slot + 1) & mask;
            }
            table[slot] = entry;
        }
        for (Entry entry : table) {
            if (entry != null && entry.wildcard) {
                entry.shorter = longestWildcard(entry.key, 1, entry.key.length());
            }
        }
    }

    int size() {
        return size;
    }

    /** The rules with exactly this name (ASCII case and one trailing dot ignored), or null. */
    Entry exact(String host) {
        int length = lengthWithoutTrailingDot(host);
        if (length == 0) {
            return null;
        }
        Entry entry = find(host, 0, length, hash(host, 0, length));
        return entry != null && !entry.wildcard ? entry : null;
    }

    /** The longest wildcard entry that {@code host} matches, or null; walk on with {@link Entry#shorter}. */
    Entry longestWildcard(String host) {
        return longestWildcard(host, 1, lengthWithoutTrailingDot(host));
    }

    /** Longest wildcard entry equal to {@code host[dot, end)} for a dot at or after {@code from}. */
    private Entry longestWildcard(String host, int from, int end) {
        Entry longest = null;
        int hash = 0;
        for (int i = end - 1; i >= from; i--) {
            char c = fold(host.charAt(i));
            hash = 31 * hash + c;
            if (c == '.') {
                Entry entry = find(host, i, end, hash);
                if (entry != null && entry.wildcard) {
                    longest = entry; // going left, each hit is longer than the one before
                }
            }
        }
        return longest;
    }

    private Entry find(String host, int start, int end, int hash) {
        int length = end - start;
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            Entry entry = table[slot];
            if (entry == null) {
                return null;
            }
            if (entry.hash == hash && entry.key.length() == length && regionEqualsFolded(host, start, entry.key)) {
                return entry;
            }
        }
    }

    /** Hash of {@code s[start, end)} folded to lower case, computed from the end: h = 31 * h + c. */
    static int hash(String s, int start, int end) {
        int hash = 0;
        for (int i = end - 1; i >= start; i--) {
            hash = 31 * hash + fold(s.charAt(i));
        }
        return hash;
    }

    private static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private static int lengthWithoutTrailingDot(String host) {
        int length = host.length();
        return length > 0 && host.charAt(length - 1) == '.' ? length - 1 : length;
    }

    private static boolean regionEqualsFolded(String host, int offset, String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            if (fold(host.charAt(offset + i)) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII only, like {@link HostPattern}: no locale rule ever makes two different names equal. */
    private static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
