package io.ifpin.os;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pin's system call allocates nothing on the Java heap (issue 20), through JNA and, on Java 22+, through FFM:
 * {@code setsockopt(SO_BINDTODEVICE, "lo")} again and again on one socket. Setting a binding again needs
 * {@code CAP_NET_RAW}; without it the test is skipped.
 */
class PinCallAllocationTest {

    @Test
    void jnaBindToDeviceAllocatesNothing() throws Exception {
        assertAllocatesNothing(LinuxSocketsJna.load());
    }

    @Test
    void ffmBindToDeviceAllocatesNothing() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
        assertAllocatesNothing(LinuxSocketsFfm.load());
    }

    /** A failure still says which call failed and why, as before the memory was reused. */
    @Test
    void ffmBindToDeviceStillReportsTheCallAndErrno() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
        SocketOptions ffm = LinuxSocketsFfm.load();
        int fd = ffm.openProbeSocket();
        try {
            ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> ffm.bindToDevice(fd, "nosuch0"));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().startsWith("setsockopt(SO_BINDTODEVICE, \"nosuch0\")"), e.getMessage());
        } finally {
            ffm.closeProbeSocket(fd);
        }
    }

    private static void assertAllocatesNothing(SocketOptions sockets) throws Exception {
        int fd = sockets.openProbeSocket(); // a UDP socket ifpin opens itself
        try {
            sockets.bindToDevice(fd, "lo"); // unbound: allowed to anyone since Linux 5.7
            try {
                sockets.bindToDevice(fd, "lo");
            } catch (ErrnoException e) {
                assumeTrue(e.errno() != Errno.EPERM, "setting a binding again needs CAP_NET_RAW: " + e);
                throw e;
            }
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            for (int i = 0; i < 200_000; i++) { // until the JIT has compiled the call (the interpreter allocates)
                sockets.bindToDevice(fd, "lo");
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 50_000; i++) {
                sockets.bindToDevice(fd, "lo");
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals("lo", sockets.boundDevice(fd));
            assertTrue(allocated < 4096, sockets.implementation() + ": allocated " + allocated
                    + " bytes in 50000 calls");
        } finally {
            sockets.closeProbeSocket(fd);
        }
    }
}
