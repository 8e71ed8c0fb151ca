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

    /** A Throwable escaped from the hook itself: report it (once) without throwing. */
    void hookFailed(Throwable failure);
}
