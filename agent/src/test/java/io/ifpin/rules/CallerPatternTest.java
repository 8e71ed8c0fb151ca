package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallerPatternTest {
    @Test
    void aPackagePatternMatchesThePackageAndItsSubPackages() {
        CallerPattern pattern = CallerPattern.parse("com.vendor.legacy.*");
        assertTrue(pattern.matches("com.vendor.legacy.Client"));
        assertTrue(pattern.matches("com.vendor.legacy.db.Pool$1"));
        assertFalse(pattern.matches("com.vendor.legacyx.Client"));
        assertFalse(pattern.matches("com.vendor.Client"));
        assertFalse(pattern.matches(null));
    }

    @Test
    void aClassPatternMatchesTheClassAndItsNestedClasses() {
        CallerPattern pattern = CallerPattern.parse("com.vendor.Client");
        assertTrue(pattern.matches("com.vendor.Client"));
        assertTrue(pattern.matches("com.vendor.Client$Pool"));
        assertFalse(pattern.matches("com.vendor.ClientFactory"));
    }

    @Test
    void rejectsWhatIsNotAName() {
        for (String text : new String[] {"*", ".*", "com/vendor", "com.vendor.", "com..vendor", "1com.x", "com.*.x"}) {
            assertThrows(InvalidValueException.class, () -> CallerPattern.parse(text), text);
        }
    }
}
