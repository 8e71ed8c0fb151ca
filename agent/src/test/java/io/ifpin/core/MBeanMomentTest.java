package io.ifpin.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MBeanMomentTest {

    @Test
    void withoutSignsOfAnApplicationServerTheWaitEndsAfterTheQuietPeriod() {
        assertNull(MBeanMoment.timeUp(MBeanMoment.QUIET_MILLIS - 1, false));
        assertEquals(MBeanMoment.Reason.QUIET, MBeanMoment.timeUp(MBeanMoment.QUIET_MILLIS, false));
    }

    @Test
    void whenAServerIsExpectedOnlyItsLoggingOrTheLimitEndsTheWait() {
        assertNull(MBeanMoment.timeUp(MBeanMoment.QUIET_MILLIS * 10, true));
        assertEquals(MBeanMoment.Reason.LIMIT, MBeanMoment.timeUp(MBeanMoment.SERVER_MILLIS, true));
    }

    @Test
    void aLogManagerOnTheSystemClassPathIsNoSignOfAServer() {
        String before = System.getProperty("java.util.logging.manager");
        try {
            System.setProperty("java.util.logging.manager", "java.util.logging.LogManager");
            assertEquals(System.getenv("JBOSS_HOME") != null, MBeanMoment.serverExpected());
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
            assertEquals(true, MBeanMoment.serverExpected());
        } finally {
            if (before == null) {
                System.clearProperty("java.util.logging.manager");
            } else {
                System.setProperty("java.util.logging.manager", before);
            }
        }
    }
}
