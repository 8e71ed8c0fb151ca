package io.ifpin.config;

import io.ifpin.log.LogLevel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogLevelTest {

    @Test
    void parseIsCaseInsensitive() {
        assertEquals(LogLevel.ERROR, LogLevel.parse("error"));
        assertEquals(LogLevel.WARN, LogLevel.parse("WARN"));
        assertEquals(LogLevel.INFO, LogLevel.parse("Info"));
        assertEquals(LogLevel.DEBUG, LogLevel.parse("debug"));
        assertEquals("debug", LogLevel.DEBUG.label());
    }

    @Test
    void unknownLevelNamesTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogLevel.parse("verbose"));
        assertTrue(e.getMessage().contains("\"verbose\""), e.getMessage());
        assertTrue(e.getMessage().contains("error, warn, info, debug"), e.getMessage());
    }

    @Test
    void levelsAreOrderedFromMostToLeastSevere() {
        assertTrue(LogLevel.ERROR.compareTo(LogLevel.WARN) < 0);
        assertTrue(LogLevel.INFO.compareTo(LogLevel.DEBUG) < 0);
    }
}
