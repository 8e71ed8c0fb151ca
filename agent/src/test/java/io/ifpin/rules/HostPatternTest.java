package io.ifpin.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPatternTest {

    @Test
    void exactName() {
        HostPattern pattern = HostPattern.parse("api.corp.example");
        assertFalse(pattern.isWildcard());
        assertTrue(pattern.matches("api.corp.example"));
        assertFalse(pattern.matches("www.api.corp.example"));
        assertFalse(pattern.matches("api.corp.example.org"));
        assertFalse(pattern.matches("corp.example"));
        assertFalse(pattern.matches(""));
    }

    @Test
    void wildcardMatchesEveryDepthButNotTheApex() {
        HostPattern pattern = HostPattern.parse("*.corp.example");
        assertTrue(pattern.isWildcard());
        assertTrue(pattern.matches("a.corp.example"));
        assertTrue(pattern.matches("a.b.corp.example"));
        assertFalse(pattern.matches("corp.example"));
        assertFalse(pattern.matches(".corp.example"));
        assertFalse(pattern.matches("xcorp.example"));
        assertFalse(pattern.matches("a.corp.example.org"));
    }

    @Test
    void caseInsensitive() {
        assertTrue(HostPattern.parse("API.Corp.Example").matches("api.corp.example"));
        assertTrue(HostPattern.parse("api.corp.example").matches("API.CORP.EXAMPLE"));
        assertTrue(HostPattern.parse("*.Corp.example").matches("Www.CORP.example"));
    }

    @Test
    void onlyAsciiIsFolded() {
        // U+212A KELVIN SIGN lower-cases to 'k' under Unicode rules; it must not match.
        assertFalse(HostPattern.parse("k.example").matches("\u212a.example"));
    }

    @Test
    void trailingDotIsIgnoredOnBothSides() {
        assertTrue(HostPattern.parse("api.corp.example.").matches("api.corp.example"));
        assertTrue(HostPattern.parse("api.corp.example").matches("api.corp.example."));
        assertTrue(HostPattern.parse("*.corp.example.").matches("a.corp.example."));
        assertFalse(HostPattern.parse("*.corp.example").matches("corp.example."));
    }

    @Test
    void aLiteralHasNoName() {
        assertFalse(HostPattern.parse("api.corp.example").matches(null));
        assertFalse(HostPattern.parse("*.corp.example").matches(null));
    }

    @Test
    void toStringIsAsWritten() {
        assertEquals("*.Corp.example.", HostPattern.parse("*.Corp.example.").toString());
    }

    @Test
    void starAloneSuggestsCidrs() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> HostPattern.parse("*"));
        assertTrue(e.fix().contains("cidrs = [\"0.0.0.0/0\", \"::/0\"]"), e.fix());
    }

    @Test
    void starElsewhereSuggestsTheWildcard() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> HostPattern.parse("api*.corp.example"));
        assertEquals("'*' is only allowed as a leading \"*.\"", e.problem());
        assertEquals("write \"*.corp.example\" to match every name under corp.example", e.fix());
        assertThrows(InvalidValueException.class, () -> HostPattern.parse("*.*.corp.example"));
        assertThrows(InvalidValueException.class, () -> HostPattern.parse("api.corp.*"));
        assertThrows(InvalidValueException.class, () -> HostPattern.parse("*corp.example"));
    }

    @Test
    void addressesBelongInCidrs() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> HostPattern.parse("192.0.2.1"));
        assertTrue(e.fix().startsWith("move it to cidrs = [\"192.0.2.1\"]"), e.fix());
        assertThrows(InvalidValueException.class, () -> HostPattern.parse("192.0.2.0/24"));
        assertThrows(InvalidValueException.class, () -> HostPattern.parse("2001:db8::1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a..example", ".a.example", "a.example..", "api corp.example",
            "api/corp.example", "bücher.example", "api.corp.example:443", "*."})
    void invalidNamesAreRejected(String text) {
        assertThrows(InvalidValueException.class, () -> HostPattern.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "a-b.example", "_service._tcp.example", "xn--bcher-kva.example", "x1.example"})
    void validNames(String text) {
        assertTrue(HostPattern.parse(text).matches(text));
    }
}
