package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortSetTest {

    @Test
    void allMatchesEveryPort() {
        assertTrue(PortSet.ALL.isAll());
        assertTrue(PortSet.ALL.contains(1));
        assertTrue(PortSet.ALL.contains(65535));
        assertEquals("all", PortSet.ALL.toString());
    }

    @Test
    void singlePortsAndInclusiveRanges() {
        PortSet ports = PortSet.of(List.of(PortSet.Range.single(7000), PortSet.Range.parse("8000-8099"),
                PortSet.Range.parse("443")));
        assertFalse(ports.isAll());
        assertTrue(ports.contains(7000));
        assertTrue(ports.contains(443));
        assertTrue(ports.contains(8000));
        assertTrue(ports.contains(8050));
        assertTrue(ports.contains(8099));
        assertFalse(ports.contains(8100));
        assertFalse(ports.contains(7999));
        assertFalse(ports.contains(7001));
        assertEquals("7000, 8000-8099, 443", ports.toString());
    }

    @Test
    void boundaries() {
        assertEquals(new PortSet.Range(1, 65535), PortSet.Range.parse("1-65535"));
        assertEquals(new PortSet.Range(80, 80), PortSet.Range.parse("80-80"));
    }

    @Test
    void outOfRange() {
        InvalidValueException zero = assertThrows(InvalidValueException.class, () -> PortSet.Range.single(0));
        assertEquals("port 0 is out of range", zero.problem());
        assertThrows(InvalidValueException.class, () -> PortSet.Range.single(65536));
        assertThrows(InvalidValueException.class, () -> PortSet.Range.parse("70000"));
        assertThrows(InvalidValueException.class, () -> PortSet.Range.parse("0-10"));
        assertThrows(InvalidValueException.class, () -> PortSet.Range.parse("99999999999999"));
    }

    @Test
    void reversedRangeSuggestsTheSwap() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> PortSet.Range.parse("8099-8000"));
        assertEquals("write \"8000-8099\"", e.fix());
    }

    @Test
    void malformed() {
        for (String text : new String[] {"", "-", "80-", "-80", "80-90-100", "http", "+80", " 80", "80 - 90", "8o"}) {
            assertThrows(InvalidValueException.class, () -> PortSet.Range.parse(text), text);
        }
    }

    @Test
    void emptySetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PortSet.of(List.of()));
    }
}
