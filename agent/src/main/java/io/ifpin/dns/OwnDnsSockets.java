package io.ifpin.dns;

import io.ifpin.bridge.PinHook;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.pin.FileDescriptors;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * The socket hook when some rule has {@code dns}: ifpin's own DNS sockets (a thread marked by {@link DnsQueryThread})
 * are pinned here to their rule's interface and never reach the rules, which could deny the server's address
 * ({@code default-action = deny}) or pin it elsewhere, and never wait in {@code PendingHook}. Every other socket goes
 * to the wrapped hook unchanged. Installed only for configs with {@code dns}, so other configs pay nothing for it.
 */
public final class OwnDnsSockets implements PinHook {

    private final PinHook next;
    private final SocketOptions sockets;

    /** @param sockets null before native access is ready: then ifpin's DNS sockets are refused */
    public OwnDnsSockets(PinHook next, SocketOptions sockets) {
        this.next = next;
        this.sockets = sockets;
    }

    @Override
    public void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) throws IOException {
        DnsQueryThread mark = DnsQueryThread.current();
        if (mark == null) {
            next.beforeTcpConnect(fd, address, port);
        } else {
            pin(mark, FileDescriptors.intValue(fd));
        }
    }

    @Override
    public void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) throws IOException {
        DnsQueryThread mark = DnsQueryThread.current();
        if (mark == null) {
            next.beforeUdpSend(fd, address, port);
        } else {
            pin(mark, FileDescriptors.intValue(fd));
        }
    }

    private void pin(DnsQueryThread mark, int fd) throws SocketException {
        if (mark.pinnedFd == fd) {
            return; // the send after the connect: pinned already (a second SO_BINDTODEVICE may need CAP_NET_RAW)
        }
        try {
            if (sockets == null) {
                throw new IllegalStateException("native access is not ready");
            }
            sockets.bindToDevice(fd, mark.interfaceName);
            mark.pinnedFd = fd;
        } catch (ErrnoException | RuntimeException e) {
            mark.pinFailure = "SO_BINDTODEVICE " + mark.interfaceName + ": " + e.getMessage();
            throw new SocketException("ifpin: cannot pin its DNS socket to " + mark.interfaceName + ": "
                    + e.getMessage());
        }
    }

    @Override
    public void beforeNativeConnectOrSend(int fd, InetAddress address, int port) throws IOException {
        next.beforeNativeConnectOrSend(fd, address, port);
    }

    @Override
    public void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) throws IOException {
        next.beforeNativeSendBatch(fd, packets, offset, count);
    }

    @Override
    public void beforeListen(FileDescriptor fd) throws IOException {
        next.beforeListen(fd);
    }

    @Override
    public void beforeNativeListen(int fd) throws IOException {
        next.beforeNativeListen(fd);
    }

    @Override
    public void hookFailed(Throwable failure) {
        next.hookFailed(failure);
    }
}
