package io.ifpin.os;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The reused native slots of the pin's setsockopt: each is held by one caller, and none left means a fallback. */
class CallSlotsTest {

    @Test
    void everySlotIsHeldByOneCallerAndAReleasedSlotIsTakenAgain() {
        assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
        Set<Integer> held = new HashSet<>();
        for (int i = 0; i < CallSlots.SLOTS; i++) {
            assertTrue(held.add(CallSlots.take()), "a slot handed out twice: " + held);
        }
        try {
            assertEquals(-1, CallSlots.take(), "all slots are taken");
            assertEquals(Errno.EBADF, Libc.setsockoptReused(-1, LinuxSockets.SOL_SOCKET,
                    LinuxSockets.SO_BINDTODEVICE, new byte[] {'l', 'o'}), "the fallback makes the call too");
            int one = held.iterator().next();
            CallSlots.release(one);
            held.remove(one);
            assertEquals(one, CallSlots.take());
            held.add(one);
        } finally {
            held.forEach(CallSlots::release);
        }
        int slot = CallSlots.take();
        CallSlots.release(slot);
        assertTrue(slot >= 0);
        assertEquals(Errno.EBADF, Libc.setsockoptReused(-1, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_BINDTODEVICE,
                new byte[] {'l', 'o'}), "errno read from the slot");
    }

    @Test
    void eachSlotsFlagHasItsCacheLinesToItself() {
        // Every pinned connect writes its slot's flag twice: flags that shared a line would make that line travel
        // between the cores on every connect. 128 bytes: a line and the one the adjacent-line prefetcher pairs it with.
        assertTrue(CallSlots.FLAG_STRIDE * Integer.BYTES >= 128, "flags " + CallSlots.FLAG_STRIDE * Integer.BYTES
                + " bytes apart");
    }
}
