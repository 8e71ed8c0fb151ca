package io.ifpin.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** rtnetlink's system calls through the Foreign Function API ({@link Libc}); no JNA. */
final class NetlinkTransportFfm implements NetlinkTransport {

    @Override
    public Connection open() throws ErrnoException {
        int fd = Libc.socket(NetlinkRoutes.AF_NETLINK, NetlinkRoutes.SOCK_RAW | LinuxSockets.SOCK_CLOEXEC,
                NetlinkRoutes.NETLINK_ROUTE, "socket(AF_NETLINK, NETLINK_ROUTE)");
        try {
            Libc.setsockopt(fd, NetlinkRoutes.SOL_SOCKET, NetlinkRoutes.SO_RCVTIMEO, NetlinkRoutes.timeval(),
                    "setsockopt(SO_RCVTIMEO)");
        } catch (ErrnoException ignored) {
            // without a timeout the kernel still answers at once; this is a safety net only
        }
        return new Connection() {
            @Override
            public void send(byte[] message) throws ErrnoException {
                Libc.send(fd, message, "send");
            }

            @Override
            public void joinGroup(int group) throws ErrnoException {
                Libc.setsockopt(fd, LinkEvents.SOL_NETLINK, LinkEvents.NETLINK_ADD_MEMBERSHIP,
                        LinkEvents.intBytes(group), "setsockopt(NETLINK_ADD_MEMBERSHIP)");
            }

            @Override
            public int receive(byte[] buffer) throws ErrnoException {
                return Libc.recv(fd, buffer, "recv");
            }

            @Override
            public void close() {
                Libc.close(fd);
            }
        };
    }

    @Override
    public int interfaceIndex(String name) {
        return Libc.ifNameToIndex(name.getBytes(StandardCharsets.US_ASCII));
    }
}
