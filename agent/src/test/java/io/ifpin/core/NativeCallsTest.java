package io.ifpin.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NativeCallsTest {

    @Test
    void absentOrEmptyIsAuto() {
        assertEquals(NativeCalls.Choice.AUTO, NativeCalls.Choice.parse(null));
        assertEquals(NativeCalls.Choice.AUTO, NativeCalls.Choice.parse(""));
    }

    @Test
    void valuesInAnyCase() {
        assertEquals(NativeCalls.Choice.JNA, NativeCalls.Choice.parse("jna"));
        assertEquals(NativeCalls.Choice.FFM, NativeCalls.Choice.parse("FFM"));
        assertEquals(NativeCalls.Choice.AUTO, NativeCalls.Choice.parse("Auto"));
    }

    @Test
    void unknownValueNamesTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeCalls.Choice.parse("fast"));
        assertEquals("unknown value; allowed: auto, jna, ffm", e.getMessage());
    }
}
