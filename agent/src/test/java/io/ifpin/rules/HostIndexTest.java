package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HostIndexTest {

    /** One rule per argument; a rule's patterns separated by spaces. */
    private static HostIndex index(String... rules) {
        List<List<HostPattern>> patterns = new ArrayList<>();
        for (String rule : rules) {
            patterns.add(Arrays.stream(rule.split(" ")).map(HostPattern::parse).toList());
        }
        return new HostIndex(patterns);
    }

    private static List<String> wildcards(HostIndex index, String host) {
        List<String> keys = new ArrayList<>();
        for (HostIndex.Entry entry = index.longestWildcard(host); entry != null; entry = entry.shorter) {
            keys.add(entry.key);
        }
        return keys;
    }

    @Test
    void exactNamesIgnoreAsciiCaseAndOneTrailingDot() {
        HostIndex index = index("api.corp.example", "API.Corp.Example.", "db.corp.example");
        assertArrayEquals(new int[] {0, 1}, index.exact("api.corp.example").rules);
        assertArrayEquals(new int[] {0, 1}, index.exact("Api.CORP.example.").rules);
        assertNull(index.exact("api.corp.example.."));
        assertNull(index.exact("x.api.corp.example"));
        assertNull(index.exact(""));
        assertEquals(2, index.size());
    }

    @Test
    void wildcardsFromLongestToShortest() {
        HostIndex index = index("*.example", "*.corp.example *.b.corp.example", "*.corp.example", "corp.example");
        assertEquals(List.of(".b.corp.example", ".corp.example", ".example"), wildcards(index, "a.B.corp.example."));
        assertArrayEquals(new int[] {1, 2}, index.longestWildcard("x.corp.example").rules);
        // The wildcard stands for at least one label: *.corp.example does not match corp.example itself.
        assertEquals(List.of(".example"), wildcards(index, "corp.example"));
        assertEquals(List.of(), wildcards(index, "example"));
        assertEquals(List.of(".example"), wildcards(index, "corp.example.org.example"));
    }

    @Test
    void aWildcardKeyIsNeverAnExactMatchNorTheOtherWayRound() {
        HostIndex index = index("*.corp.example", "corp.example");
        assertNull(index.exact(".corp.example"));
        assertArrayEquals(new int[] {1}, index.exact("corp.example").rules);
        assertEquals(List.of(), wildcards(index, ".corp.example"));
        assertEquals(List.of(".corp.example"), wildcards(index, "x..corp.example"));
    }

    @Test
    void onlyAsciiIsFolded() {
        HostIndex index = index("k.example");
        assertNull(index.exact("\u212a.example")); // KELVIN SIGN lower-cases to 'k' under Unicode rules
        assertArrayEquals(new int[] {0}, index.exact("K.example").rules);
    }
}
