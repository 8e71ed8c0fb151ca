package io.ifpin.bridge;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;

/**
 * What the JDK's instrumented socket code calls, implemented in the agent's own class loader.
 *
 * <p>Lives on the bootstrap class path next to {@link PinBridge} so that classes in {@code java.base} can link
 * against it. Keep it dependency-free: only {@code java.base} types in signatures.
 */
public interface PinHook {

    /** TCP connect of {@code fd} to {@code address:port} is about to happen (socket bound or not). */
    void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) throws IOException;

    /** UDP connect of {@code fd}, or an unconnected send to {@code address:port}, is about to happen. */
    void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) throws IOException;

    /**
     * A native transport (Netty epoll or io_uring, under any package prefix) is about to connect {@code fd} to, or
     * send on it to, {@code address:port}. The caller does not know whether the socket is TCP or UDP (Netty's
     * {@code Socket.connect} and {@code sendTo} serve both); the hook asks the kernel ({@code SO_TYPE}).
     */
    void beforeNativeConnectOrSend(int fd, InetAddress address, int port) throws IOException;

    /**
     * Netty's epoll transport is about to send {@code packets[offset .. offset+count)} on {@code fd} with one
     * {@code sendmmsg}. The elements are Netty's {@code NativeDatagramPacket}s (the bridge cannot name the type):
     * the hook reads each destination from them.
     */
    void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) throws IOException;

    /**
     * {@code fd} is bound and about to {@code listen()}: the hook applies the first {@code direction = inbound} rule
     * that matches the socket's local address and port.
     */
    void beforeListen(FileDescriptor fd) throws IOException;

    /** {@link #beforeListen(FileDescriptor)} for a native transport's int descriptor. */
    void beforeNativeListen(int fd) throws IOException;

    /** A Throwable escaped from the hook itself: report it (once) without throwing. */
    void hookFailed(Throwable failure);
}
