package io.ifpin.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterfaceNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"b0", "tun0", "eth0.100", "wg-corp", "enp0s31f6", "a", "fifteen-bytes-x", "..."})
    void validNames(String name) {
        assertDoesNotThrow(() -> InterfaceNames.validate(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "sixteen-bytes-xx", "a/b", "eth0:1", "a b", "a\tb", "a\nb", "a\u0000b"})
    void invalidNames(String name) {
        assertThrows(InvalidValueException.class, () -> InterfaceNames.validate(name));
    }

    @Test
    void lengthIsCountedInBytes() {
        // 8 characters, 16 bytes in UTF-8
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> InterfaceNames.validate("éééééééé"));
        assertTrue(e.problem().contains("16 bytes"), e.problem());
    }

    @Test
    void kernelIsspaceIncludesByteA0() {
        // "à" is C3 A0 in UTF-8, and the kernel's isspace() is true for 0xA0.
        assertThrows(InvalidValueException.class, () -> InterfaceNames.validate("à"));
        assertDoesNotThrow(() -> InterfaceNames.validate("é"));
    }

    @Test
    void aliasGetsItsOwnFix() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> InterfaceNames.validate("eth0:1"));
        assertTrue(e.fix().contains("alias"), e.fix());
    }
}
