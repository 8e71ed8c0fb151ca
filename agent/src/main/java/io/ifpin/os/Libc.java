package io.ifpin.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Objects;

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
 *
 * <p>Only the four handles that the FFM check and the pin need ({@code socket}, {@code close}, {@code setsockopt},
 * {@code getsockopt}) are made with this class: the first handle of a JVM costs tens of milliseconds, each further
 * signature several, and a socket opened early waits for them ({@code PendingHook}). The others are made at their
 * first use, each in a holder class of its own ({@link Getsockname}, {@link Bind}, {@link Transfer},
 * {@link NameToIndex}), whose field is as {@code static final} as the ones here.
 */
final class Libc {

    private static final MethodType INT_INT_INT_INT = MethodType.methodType(int.class, Object.class, int.class,
            int.class, int.class);
    private static final MethodType SOCKOPT = MethodType.methodType(int.class, Object.class, int.class, int.class,
            int.class, Object.class, int.class);
    private static final MethodType GETSOCKOPT = MethodType.methodType(int.class, Object.class, int.class, int.class,
            int.class, Object.class, Object.class);
    private static final MethodType CLOSE = MethodType.methodType(int.class, Object.class, int.class);

    private static final MethodHandle SOCKET_HANDLE;
    private static final MethodHandle CLOSE_HANDLE;
    private static final MethodHandle SETSOCKOPT_HANDLE;
    private static final MethodHandle GETSOCKOPT_HANDLE;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle[] handles = new MethodHandle[4];
        Throwable unavailable = NativeBuffer.unavailable();
        if (unavailable == null) {
            try {
                handles[0] = NativeAccessModule.downcall("socket", false).asType(INT_INT_INT_INT);
                handles[1] = NativeAccessModule.downcall("close", false).asType(CLOSE);
                // Not critical, also the pin calls: setsockopt can block on the socket lock (class comment).
                handles[2] = NativeAccessModule.downcall("setsockopt", false).asType(SOCKOPT);
                handles[3] = NativeAccessModule.downcall("getsockopt", false).asType(GETSOCKOPT);
            } catch (Throwable t) {
                unavailable = t;
            }
        }
        SOCKET_HANDLE = handles[0];
        CLOSE_HANDLE = handles[1];
        SETSOCKOPT_HANDLE = handles[2];
        GETSOCKOPT_HANDLE = handles[3];
        UNAVAILABLE = unavailable;
    }

    /**
     * A handle made at its first use, once {@link Libc} itself is there (so the module is); its failure, which
     * the four handles above already ruled out, reaches the call as an {@link ExceptionInInitializerError} of the
     * holder, which the callers report as {@link NativeBuffer#unexpected}.
     */
    private static MethodHandle link(String function, MethodType type) {
        try {
            return NativeAccessModule.downcall(function, false).asType(type);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot link " + function + ": " + t, t);
        }
    }

    /** {@code getsockname}: the steering's local-address check and the messages' local address. */
    private static final class Getsockname {
        static final MethodHandle HANDLE = link("getsockname", MethodType.methodType(int.class, Object.class,
                int.class, Object.class, Object.class));
    }

    /** {@code bind}: a rule's source. */
    private static final class Bind {
        static final MethodHandle HANDLE = link("bind", MethodType.methodType(int.class, Object.class, int.class,
                Object.class, int.class));
    }

    /** {@code send} and {@code recv}: rtnetlink ({@link NetlinkTransportFfm}), never a pin. */
    private static final class Transfer {
        private static final MethodType TYPE = MethodType.methodType(long.class, Object.class, int.class,
                Object.class, long.class, int.class);
        static final MethodHandle SEND = link("send", TYPE);
        static final MethodHandle RECV = link("recv", TYPE);
    }

    /** {@code if_nametoindex}: rtnetlink's interface index. */
    private static final class NameToIndex {
        static final MethodHandle HANDLE = link("if_nametoindex", MethodType.methodType(int.class, Object.class,
                Object.class));
    }

    /**
     * Makes the handles of rtnetlink ({@code send}, {@code recv}, {@code if_nametoindex}) now: the startup lines
     * need them before the first socket is released, and made on another thread meanwhile, they are not in its way.
     */
    static void linkNetlinkCalls() {
        Objects.requireNonNull(Transfer.SEND);
        Objects.requireNonNull(NameToIndex.HANDLE);
    }

    /**
     * Makes the handles of a rule's source ({@code getsockname}, {@code bind}) now, on ifpin-init, so that the first
     * steered socket does not make them on an application thread.
     */
    static void linkSourceCalls() {
        Objects.requireNonNull(Getsockname.HANDLE);
        Objects.requireNonNull(Bind.HANDLE);
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
                    int result = (int) Bind.HANDLE.invokeExact(buffer.state(), fd, buffer.slice(0, sockaddr.length),
                            sockaddr.length);
                    return result == 0 ? 0 : buffer.errno();
                }
            }
            int result = (int) Bind.HANDLE.invokeExact(CallSlots.state(slot), fd, CallSlots.address(slot, sockaddr),
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
            int result = (int) Getsockname.HANDLE.invokeExact(CallSlots.state(slot), fd, CallSlots.address(slot),
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
            int result = (int) Getsockname.HANDLE.invokeExact(buffer.state(), fd, buffer.slice(8, sockaddr.length),
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
            long sent = (long) Transfer.SEND.invokeExact(buffer.state(), fd, buffer.slice(0, message.length),
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
            long received = (long) Transfer.RECV.invokeExact(buffer.state(), fd, buffer.slice(0, into.length),
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
            return (int) NameToIndex.HANDLE.invokeExact(buffer.state(), buffer.slice(0, name.length + 1L));
        } catch (Throwable t) {
            throw NativeBuffer.unexpected(t);
        }
    }
}
