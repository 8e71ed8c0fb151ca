package io.ifpin.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

/**
 * The C library functions ifpin calls, through the Foreign Function API (Java 22+): downcall handles from the named
 * module {@code io.ifpin.nativeaccess} ({@link NativeAccessModule}), invoked here with memory from
 * {@link NativeBuffer}. Each method returns the C result or throws {@link ErrnoException} with the captured errno.
 *
 * <p>None of the handles is {@code critical}. A critical call keeps the thread "in Java", so a garbage collection or
 * any safepoint waits until it returns; {@code setsockopt} takes the socket's lock and may run cgroup-BPF programs,
 * and netlink calls can wait on the kernel's rtnl lock, so none of them is guaranteed short. What critical would buy
 * the pin calls is about 40 ns per pinned socket (docs/dev/performance.md, "critical downcalls").
 *
 * <p>The handles are {@code static final}, so the JIT inlines them. Reaching this class throws
 * {@link ExceptionInInitializerError} where the API or the module is not there: check {@link #unavailable()} first.
 */
final class Libc {

    private static final MethodType INT_INT_INT_INT = MethodType.methodType(int.class, Object.class, int.class,
            int.class, int.class);
    private static final MethodType SOCKOPT = MethodType.methodType(int.class, Object.class, int.class, int.class,
            int.class, Object.class, int.class);
    private static final MethodType GETSOCKOPT = MethodType.methodType(int.class, Object.class, int.class, int.class,
            int.class, Object.class, Object.class);
    private static final MethodType GETSOCKNAME = MethodType.methodType(int.class, Object.class, int.class,
            Object.class, Object.class);
    private static final MethodType CLOSE = MethodType.methodType(int.class, Object.class, int.class);
    private static final MethodType TRANSFER = MethodType.methodType(long.class, Object.class, int.class,
            Object.class, long.class, int.class);
    private static final MethodType BIND = MethodType.methodType(int.class, Object.class, int.class, Object.class,
            int.class);
    private static final MethodType NAMETOINDEX = MethodType.methodType(int.class, Object.class, Object.class);

    private static final MethodHandle SOCKET_HANDLE;
    private static final MethodHandle CLOSE_HANDLE;
    private static final MethodHandle SETSOCKOPT_HANDLE;
    private static final MethodHandle GETSOCKOPT_HANDLE;
    private static final MethodHandle GETSOCKNAME_HANDLE;
    private static final MethodHandle SEND_HANDLE;
    private static final MethodHandle RECV_HANDLE;
    private static final MethodHandle IF_NAMETOINDEX_HANDLE;
    private static final MethodHandle BIND_HANDLE;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle[] handles = new MethodHandle[9];
        Throwable unavailable = NativeBuffer.unavailable();
        if (unavailable == null) {
            try {
                handles[0] = NativeAccessModule.downcall("socket", false).asType(INT_INT_INT_INT);
                handles[1] = NativeAccessModule.downcall("close", false).asType(CLOSE);
                // Not critical, also the pin calls: setsockopt can block on the socket lock (class comment).
                handles[2] = NativeAccessModule.downcall("setsockopt", false).asType(SOCKOPT);
                handles[3] = NativeAccessModule.downcall("getsockopt", false).asType(GETSOCKOPT);
                handles[4] = NativeAccessModule.downcall("getsockname", false).asType(GETSOCKNAME);
                handles[5] = NativeAccessModule.downcall("send", false).asType(TRANSFER);
                handles[6] = NativeAccessModule.downcall("recv", false).asType(TRANSFER);
                handles[7] = NativeAccessModule.downcall("if_nametoindex", false).asType(NAMETOINDEX);
                handles[8] = NativeAccessModule.downcall("bind", false).asType(BIND);
            } catch (Throwable t) {
                unavailable = t;
            }
        }
        SOCKET_HANDLE = handles[0];
        CLOSE_HANDLE = handles[1];
        SETSOCKOPT_HANDLE = handles[2];
        GETSOCKOPT_HANDLE = handles[3];
        GETSOCKNAME_HANDLE = handles[4];
        SEND_HANDLE = handles[5];
        RECV_HANDLE = handles[6];
        IF_NAMETOINDEX_HANDLE = handles[7];
        BIND_HANDLE = handles[8];
        UNAVAILABLE = unavailable;
    }

    private Libc() {
    }

    /** Why these calls cannot be made here (UnsupportedOperationException: before Java 22), or null. */
    static Throwable unavailable() {
        return UNAVAILABLE;
    }

    static int socket(int domain, int type, int protocol, String call) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(0)) {
            int fd = (int) SOCKET_HANDLE.invokeExact(buffer.state(), domain, type, protocol);
            if (fd < 0) {
                throw new ErrnoException(call, buffer.errno());
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /** {@code close(fd)}; a failure is ignored: the descriptor is gone either way (close(2)). */
    static void close(int fd) {
        try (NativeBuffer buffer = NativeBuffer.allocate(0)) {
            int ignored = (int) CLOSE_HANDLE.invokeExact(buffer.state(), fd);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    static void setsockopt(int fd, int level, int name, byte[] value, String call) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(value.length)) {
            buffer.put(0, value);
            int result = (int) SETSOCKOPT_HANDLE.invokeExact(buffer.state(), fd, level, name,
                    buffer.slice(0, value.length), value.length);
            if (result != 0) {
                throw new ErrnoException(call, buffer.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /**
     * {@code setsockopt} for the pin on every connect: in a reused {@link CallSlots} slot, so nothing is allocated;
     * returns 0 or errno, so the caller builds the failure's text only on a failure.
     */
    static int setsockoptReused(int fd, int level, int name, byte[] value) {
        int slot = value.length <= CallSlots.VALUE_BYTES ? CallSlots.take() : -1;
        if (slot < 0) {
            try {
                setsockopt(fd, level, name, value, "setsockopt");
                return 0;
            } catch (ErrnoException e) {
                return e.errno();
            }
        }
        try {
            int result = (int) SETSOCKOPT_HANDLE.invokeExact(CallSlots.state(slot), fd, level, name,
                    CallSlots.value(slot, value), value.length);
            return result == 0 ? 0 : CallSlots.errno(slot);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        } finally {
            CallSlots.release(slot);
        }
    }

    /** {@code setsockopt} of a C int (a mark, a boolean option) in a reused slot: returns 0 or errno. */
    static int setsockoptIntReused(int fd, int level, int name, int value) {
        int slot = CallSlots.take();
        if (slot < 0) {
            try {
                setsockopt(fd, level, name, java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder())
                        .putInt(value).array(), "setsockopt");
                return 0;
            } catch (ErrnoException e) {
                return e.errno();
            }
        }
        try {
            int result = (int) SETSOCKOPT_HANDLE.invokeExact(CallSlots.state(slot), fd, level, name,
                    CallSlots.intValue(slot, value), 4);
            return result == 0 ? 0 : CallSlots.errno(slot);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        } finally {
            CallSlots.release(slot);
        }
    }

    /** {@code bind(fd, sockaddr)} in a reused slot, as {@link #setsockoptReused}: returns 0 or errno. */
    static int bindReused(int fd, byte[] sockaddr) {
        int slot = sockaddr.length <= CallSlots.ADDRESS_BYTES ? CallSlots.take() : -1;
        try {
            if (slot < 0) {
                try (NativeBuffer buffer = NativeBuffer.allocate(sockaddr.length)) {
                    buffer.put(0, sockaddr);
                    int result = (int) BIND_HANDLE.invokeExact(buffer.state(), fd, buffer.slice(0, sockaddr.length),
                            sockaddr.length);
                    return result == 0 ? 0 : buffer.errno();
                }
            }
            int result = (int) BIND_HANDLE.invokeExact(CallSlots.state(slot), fd, CallSlots.address(slot, sockaddr),
                    sockaddr.length);
            return result == 0 ? 0 : CallSlots.errno(slot);
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        } finally {
            if (slot >= 0) {
                CallSlots.release(slot);
            }
        }
    }

    /**
     * {@code getsockname} reduced to {@link SocketOptions#localFamily}'s answer, read in a reused slot without
     * allocating; {@code -errno} on failure.
     */
    static int localFamilyReused(int fd) {
        int slot = CallSlots.take();
        if (slot < 0) {
            byte[] sockaddr = new byte[LinuxSockets.SOCKADDR_STORAGE_SIZE];
            try {
                getsockname(fd, sockaddr);
            } catch (ErrnoException e) {
                return -e.errno();
            }
            return LinuxSockets.localFamily(sockaddr);
        }
        try {
            int result = (int) GETSOCKNAME_HANDLE.invokeExact(CallSlots.state(slot), fd, CallSlots.address(slot),
                    CallSlots.length(slot));
            if (result != 0) {
                return -CallSlots.errno(slot);
            }
            int family = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
                    ? (CallSlots.addressByte(slot, 0) & 0xff) | (CallSlots.addressByte(slot, 1) & 0xff) << 8
                    : (CallSlots.addressByte(slot, 0) & 0xff) << 8 | (CallSlots.addressByte(slot, 1) & 0xff);
            int from;
            int to;
            if (family == LinuxSockets.AF_INET) {
                from = 4;
                to = 8;
            } else if (family == LinuxSockets.AF_INET6) {
                from = 8;
                to = 24;
            } else {
                return family;
            }
            boolean bound = CallSlots.addressByte(slot, 2) != 0 || CallSlots.addressByte(slot, 3) != 0;
            for (int i = from; i < to && !bound; i++) {
                bound = CallSlots.addressByte(slot, i) != 0;
            }
            return bound ? family | SocketOptions.LOCAL_BOUND : family;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        } finally {
            CallSlots.release(slot);
        }
    }

    /** Fills {@code value}; returns the length the kernel wrote. */
    static int getsockopt(int fd, int level, int name, byte[] value, String call) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(8L + value.length)) {
            buffer.putInt(0, value.length);
            int result = (int) GETSOCKOPT_HANDLE.invokeExact(buffer.state(), fd, level, name,
                    buffer.slice(8, value.length), buffer.slice(0, 4));
            if (result != 0) {
                throw new ErrnoException(call, buffer.errno());
            }
            int length = Math.min(buffer.getInt(0), value.length);
            buffer.get(8, value, value.length);
            return length;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /** Fills {@code sockaddr} with the socket's local address. */
    static void getsockname(int fd, byte[] sockaddr) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(8L + sockaddr.length)) {
            buffer.putInt(0, sockaddr.length);
            int result = (int) GETSOCKNAME_HANDLE.invokeExact(buffer.state(), fd, buffer.slice(8, sockaddr.length),
                    buffer.slice(0, 4));
            if (result != 0) {
                throw new ErrnoException("getsockname", buffer.errno());
            }
            buffer.get(8, sockaddr, sockaddr.length);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    static void send(int fd, byte[] message, String call) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(message.length)) {
            buffer.put(0, message);
            long sent = (long) SEND_HANDLE.invokeExact(buffer.state(), fd, buffer.slice(0, message.length),
                    (long) message.length, 0);
            if (sent < 0) {
                throw new ErrnoException(call, buffer.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /** Receives into {@code into}; returns the length. */
    static int recv(int fd, byte[] into, String call) throws ErrnoException {
        try (NativeBuffer buffer = NativeBuffer.allocate(into.length)) {
            long received = (long) RECV_HANDLE.invokeExact(buffer.state(), fd, buffer.slice(0, into.length),
                    (long) into.length, 0);
            if (received < 0) {
                throw new ErrnoException(call, buffer.errno());
            }
            buffer.get(0, into, (int) received);
            return (int) received;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }

    /** {@code if_nametoindex}: 0 when there is no such interface. */
    static int ifNameToIndex(byte[] name) {
        try (NativeBuffer buffer = NativeBuffer.allocate(name.length + 1L)) { // zeroed: the NUL is there
            buffer.put(0, name);
            return (int) IF_NAMETOINDEX_HANDLE.invokeExact(buffer.state(), buffer.slice(0, name.length + 1L));
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }
}
