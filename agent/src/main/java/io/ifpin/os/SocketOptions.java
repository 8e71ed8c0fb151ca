package io.ifpin.os;

import java.util.List;

/**
 * The few socket system calls ifpin needs, behind an interface so the pinning logic can be tested without a kernel.
 * Implemented for Linux by {@link LinuxSocketsFfm} on Java 22+ and by {@link LinuxSocketsJna} before;
 * {@code io.ifpin.core.NativeCalls} chooses.
 */
public interface SocketOptions {

    /** bits/socket_type.h */
    int SOCK_STREAM = 1;
    int SOCK_DGRAM = 2;

    // The defaults below answer "not available"; both Linux implementations implement them. They are defaults so that
    // fakes that do not need them stay small.

    /** How the system calls are made, for the startup line: {@code JNA}, {@code FFM}. */
    default String implementation() {
        return "none";
    }

    /** {@code getsockopt(SO_TYPE)}: {@link #SOCK_STREAM}, {@link #SOCK_DGRAM} or another type. */
    default int socketType(int fd) throws ErrnoException {
        throw new ErrnoException("getsockopt(SO_TYPE)", Errno.ENOPROTOOPT);
    }

    /** {@code getsockname} as an address, or null when it is not an IP socket or the call fails. */
    default java.net.InetSocketAddress localSocketAddress(int fd) {
        return null;
    }

    /**
     * {@code socket(AF_INET6 or AF_INET, SOCK_DGRAM)}: an unconnected UDP socket for the startup self-test, which
     * pins it and closes it; it never sends anything.
     */
    default int openProbeSocket() throws ErrnoException {
        throw new ErrnoException("socket", Errno.EAFNOSUPPORT);
    }

    /** {@code close(fd)} of a socket from {@link #openProbeSocket()}. */
    default void closeProbeSocket(int fd) {
    }

    /** {@code getsockopt(SO_BINDTODEVICE)}: the interface the socket is bound to, or {@code ""} when it is not bound. */
    String boundDevice(int fd) throws ErrnoException;

    /** {@code setsockopt(SO_BINDTODEVICE, name)}. */
    void bindToDevice(int fd, String interfaceName) throws ErrnoException;

    /** {@code getsockname}, formatted {@code ip:port} ({@code [ip]:port} for IPv6), or {@code "?"}: for messages only. */
    String localAddress(int fd);

    /** {@link #localFamily}'s flag: the socket has a local address or port already (the application bound it). */
    int LOCAL_BOUND = 1 << 16;
    /** bits/socket.h, in {@link #localFamily}'s answer. */
    int AF_INET = 2;
    int AF_INET6 = 10;

    /**
     * {@code getsockname}, reduced to what steering a socket needs without allocating: the family ({@link #AF_INET},
     * {@link #AF_INET6}, or another), or'ed with {@link #LOCAL_BOUND} when the address is not the wildcard or the port
     * is not 0.
     */
    default int localFamily(int fd) throws ErrnoException {
        throw new ErrnoException("getsockname", Errno.ENOSYS);
    }

    /** {@code setsockopt(SO_MARK, mark)} with the mark's prepared bytes; needs CAP_NET_ADMIN (or CAP_NET_RAW, 5.17+). */
    default void setMark(int fd, byte[] mark) throws ErrnoException {
        throw new ErrnoException("setsockopt(SO_MARK)", Errno.ENOSYS);
    }

    /** {@code getsockopt(SO_MARK)}: the socket's mark, 0 when it has none. */
    default int mark(int fd) throws ErrnoException {
        throw new ErrnoException("getsockopt(SO_MARK)", Errno.ENOSYS);
    }

    /**
     * {@code bind(fd, sockaddr)} with port 0, after {@code setsockopt(IP_BIND_ADDRESS_NO_PORT, 1)} when
     * {@code noPort}: the port is then chosen at connect, by the whole 4-tuple, so binding a source address does not
     * take an ephemeral port of its own (a plain bind would, and thousands of connects would run out of them).
     */
    default void bindSource(int fd, byte[] sockaddr, boolean noPort) throws ErrnoException {
        throw new ErrnoException("bind", Errno.ENOSYS);
    }

    /**
     * Readies {@link #localFamily} and {@link #bindSource} (a rule's source), on ifpin's own thread, so that the
     * first steered socket does not wait while they are set up; nothing where they need no set-up.
     */
    default void prepareSourceBinding() {
    }

    /** The interfaces of the calling thread's network namespace ({@code if_nameindex}), in index order. */
    List<String> interfaceNames() throws ErrnoException;
}
