package io.ifpin.os;

import java.util.List;

/**
 * The few socket system calls ifpin needs, behind an interface so the pinning logic can be tested without a kernel.
 * Implemented for Linux by {@link LinuxSocketsJna}.
 */
public interface SocketOptions {

    /** {@code getsockopt(SO_BINDTODEVICE)}: the interface the socket is bound to, or {@code ""} when it is not bound. */
    String boundDevice(int fd) throws ErrnoException;

    /** {@code setsockopt(SO_BINDTODEVICE, name)}. */
    void bindToDevice(int fd, String interfaceName) throws ErrnoException;

    /** {@code getsockname}, formatted {@code ip:port} ({@code [ip]:port} for IPv6), or {@code "?"}: for messages only. */
    String localAddress(int fd);

    /** The interfaces of the calling thread's network namespace ({@code if_nameindex}), in index order. */
    List<String> interfaceNames() throws ErrnoException;
}
