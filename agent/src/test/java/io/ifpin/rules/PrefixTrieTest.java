package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixTrieTest {

    private static PrefixTrie trie(int maxLength, String... cidrs) {
        PrefixTrie trie = new PrefixTrie(maxLength);
        for (int position = 0; position < cidrs.length; position++) {
            Cidr cidr = Cidr.parse(cidrs[position]);
            trie.add(cidr.keyHigh(), cidr.keyLow(), cidr.prefixLength(), position);
        }
        return trie.build();
    }

    /** Every rule position on the chain from the longest containing network to the shortest. */
    private static List<List<Integer>> chain(PrefixTrie trie, String address) {
        Cidr host = Cidr.parse(address);
        List<List<Integer>> out = new ArrayList<>();
        for (PrefixTrie.Node node = trie.lookup(host.keyHigh(), host.keyLow()); node != null; node = node.shorter) {
            List<Integer> positions = new ArrayList<>();
            for (int position : node.rules) {
                positions.add(position);
            }
            out.add(positions);
        }
        return out;
    }

    @Test
    void nestedNetworksLongestFirstWithRulesInConfigOrder() {
        PrefixTrie trie = trie(32, "192.0.2.0/24", "192.0.2.128/25", "0.0.0.0/0", "192.0.2.0/24", "192.0.2.200/32");
        assertEquals(List.of(List.of(4), List.of(1), List.of(0, 3), List.of(2)), chain(trie, "192.0.2.200"));
        assertEquals(List.of(List.of(1), List.of(0, 3), List.of(2)), chain(trie, "192.0.2.201"));
        assertEquals(List.of(List.of(0, 3), List.of(2)), chain(trie, "192.0.2.1"));
        assertEquals(List.of(List.of(2)), chain(trie, "198.51.100.1"));
    }

    @Test
    void siblingsSplitAtTheFirstDifferentBitAndNothingElseMatches() {
        // 192.0.2.0/25 and 192.0.2.128/25 differ in bit 24: a branch point /24 without rules joins them.
        PrefixTrie trie = trie(32, "192.0.2.0/25", "192.0.2.128/25", "198.51.100.7/32");
        assertEquals(List.of(List.of(0)), chain(trie, "192.0.2.127"));
        assertEquals(List.of(List.of(1)), chain(trie, "192.0.2.128"));
        assertEquals(List.of(List.of(2)), chain(trie, "198.51.100.7"));
        assertNull(trie.lookup(Cidr.parse("198.51.100.6").keyHigh(), 0));
        assertNull(trie.lookup(Cidr.parse("192.0.3.0").keyHigh(), 0));
        // root, the three networks, and two branch points: 192.0.2.0/24, and /5 where 192 and 198 part
        assertEquals(6, trie.nodeCount());
    }

    @Test
    void shorterNetworkAddedAfterLongerGoesBetween() {
        PrefixTrie trie = trie(32, "192.0.2.64/26", "192.0.2.0/24", "192.0.0.0/16");
        assertEquals(List.of(List.of(0), List.of(1), List.of(2)), chain(trie, "192.0.2.65"));
        assertEquals(List.of(List.of(2)), chain(trie, "192.0.3.1"));
    }

    @Test
    void emptyTrieMatchesNothing() {
        PrefixTrie trie = new PrefixTrie(32).build();
        assertTrue(trie.isEmpty());
        assertNull(trie.lookup(0, 0));
    }

    @Test
    void ipv6AcrossTheSixtyFourBitBoundary() {
        PrefixTrie trie = trie(128, "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8:0:1:8000::/65",
                "2001:db8:0:1::1/128", "::/0");
        assertEquals(List.of(List.of(3), List.of(1), List.of(0), List.of(4)), chain(trie, "2001:db8:0:1::1"));
        assertEquals(List.of(List.of(2), List.of(1), List.of(0), List.of(4)), chain(trie, "2001:db8:0:1:8000::1"));
        assertEquals(List.of(List.of(0), List.of(4)), chain(trie, "2001:db8:0:2::1"));
        assertEquals(List.of(List.of(4)), chain(trie, "2001:db9::1"));
    }

    @Test
    void theSameNetworkTwiceInOneRuleIsOnePositionTwice() {
        Cidr again = Cidr.parse("192.0.2.0/24");
        PrefixTrie trie = new PrefixTrie(32);
        trie.add(again.keyHigh(), again.keyLow(), 24, 0);
        trie.add(again.keyHigh(), again.keyLow(), 24, 0);
        trie.build();
        assertArrayEquals(new int[] {0, 0}, trie.lookup(Cidr.parse("192.0.2.1").keyHigh(), 0).rules);
    }
}
