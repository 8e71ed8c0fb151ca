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

    /**
     * Issue 16: a rule's mark and source cost no allocation either: {@code setsockopt(SO_MARK)} (needs CAP_NET_ADMIN,
     * skipped without), {@code getsockname} reduced to the family, and {@code bind} in a reused slot (again and again
     * on one socket: after the first bind the kernel answers EINVAL, through the same code).
     */
    @Test
    void ffmMarkAndSourceAllocateNothing() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
        SocketOptions ffm = LinuxSocketsFfm.load();
        byte[] mark = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(16).array();
        byte[] loopback = io.ifpin.rules.SourceAddress.parse(java.util.List.of("127.0.0.1"))
                .sockaddrFor(SocketOptions.AF_INET6, true);
        int fd = ffm.openProbeSocket();
        try {
            assertEquals(SocketOptions.AF_INET6, ffm.localFamily(fd));
            ffm.bindSource(fd, loopback, false);
            assertEquals(SocketOptions.AF_INET6 | SocketOptions.LOCAL_BOUND, ffm.localFamily(fd));
            assertEquals(Errno.EINVAL, Libc.bindReused(fd, loopback)); // bound already
            try {
                ffm.setMark(fd, mark);
            } catch (ErrnoException e) {
                assumeTrue(e.errno() != Errno.EPERM, "setting a mark needs CAP_NET_ADMIN: " + e);
                throw e;
            }
            assertEquals(16, ffm.mark(fd));
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            int sum = 0;
            for (int i = 0; i < 200_000; i++) { // until the JIT has compiled the calls
                ffm.setMark(fd, mark);
                sum += ffm.localFamily(fd) + Libc.bindReused(fd, loopback);
            }
            // The fewest bytes of up to 10 rounds: on a loaded machine the JIT may still be compiling in the first
            // (a one-off allocation); a call that allocates allocates in every round (40 bytes x 50,000).
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 10 && allocated >= 4096; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 50_000; i++) {
                    ffm.setMark(fd, mark);
                    sum += ffm.localFamily(fd) + Libc.bindReused(fd, loopback);
                }
                allocated = Math.min(allocated, threads.getThreadAllocatedBytes(thread) - before);
            }
            assertTrue(sum != 0);
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 50000 x (mark, getsockname, bind)");
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
