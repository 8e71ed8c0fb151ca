package io.ifpin.pin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelVersionTest {

    @Test
    void comparesMajorAndMinor() {
        assertTrue(new KernelVersion("5.4.0-150-generic").isOlderThan(5, 7));
        assertTrue(new KernelVersion("4.19.0").isOlderThan(5, 7));
        assertFalse(new KernelVersion("5.7.0").isOlderThan(5, 7));
        assertFalse(new KernelVersion("5.10.0-28-amd64").isOlderThan(5, 7));
        assertFalse(new KernelVersion("6.18.44-fc-v782").isOlderThan(5, 7));
    }

    @Test
    void anUnreadableVersionCountsAsOld() {
        // Then the EPERM message mentions the pre-5.7 rule too, which is the safer advice.
        assertTrue(new KernelVersion("unknown").isOlderThan(5, 7));
    }
}
