package io.ifpin.os;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The unit tests run on Java 17, where the Foreign Function API is not final: {@code load} must refuse, saying
 * why. On Java 22+ the implementation is exercised end to end by the integration tests
 * (MessagesIT: it is chosen; ErrorsIT: ENODEV and EPERM through it; PinningIT: sockets leave by their interface).
 */
class LinuxSocketsFfmTest {

    @Test
    void refusesBeforeJava22WithTheReason() {
        assumeTrue(Runtime.version().feature() < 22, "this JDK has the Foreign Function API");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                LinuxSocketsFfm::load);
        assertEquals("the Foreign Function API is final from Java 22; this is Java " + Runtime.version().feature(),
                e.getMessage());
    }
}
