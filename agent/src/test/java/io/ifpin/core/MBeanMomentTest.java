package io.ifpin.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MBeanMomentTest {

    private static final long QUIET = MBeanMoment.QUIET_MILLIS;
    private static final long LIMIT = MBeanMoment.SERVER_MILLIS;

    @Test
    void withoutSignsOfAServerTheApplicationsLoggingOrTheQuietPeriodEndsTheWait() {
        assertNull(MBeanMoment.decide(false, false, false, QUIET - 1));
        assertEquals(MBeanMoment.Reason.APPLICATION, MBeanMoment.decide(true, false, false, 100));
        assertEquals(MBeanMoment.Reason.QUIET, MBeanMoment.decide(false, false, false, QUIET));
        assertNull(MBeanMoment.decide(false, true, false, 100), "an MBean server without JUL: JUL is still ahead");
    }

    @Test
    void whenAServerIsExpectedItsLoggingAndItsMBeanServerOrTheLimitEndTheWait() {
        assertNull(MBeanMoment.decide(true, false, true, QUIET * 10), "JUL alone: the server's JMX builder may follow");
        assertNull(MBeanMoment.decide(false, true, true, QUIET * 10));
        assertEquals(MBeanMoment.Reason.APPLICATION_SERVER, MBeanMoment.decide(true, true, true, 100));
        assertEquals(MBeanMoment.Reason.LIMIT, MBeanMoment.decide(false, false, true, LIMIT));
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
