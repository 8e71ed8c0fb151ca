package io.ifpin.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/** rtnetlink's system calls through JNA direct mapping (Java 17 to 21, and {@code -Difpin.native=jna}). */
final class NetlinkTransportJna implements NetlinkTransport {

    static {
        Native.register(NetlinkTransportJna.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int setsockopt(int fd, int level, int optname, byte[] optval, int optlen)
            throws LastErrorException;

    private static native NativeLong send(int fd, byte[] buffer, NativeLong length, int flags)
            throws LastErrorException;

    private static native NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags)
            throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int if_nametoindex(String name);

    @Override
    public Connection open() throws ErrnoException {
        int fd;
        try {
            fd = socket(NetlinkRoutes.AF_NETLINK, NetlinkRoutes.SOCK_RAW | LinuxSockets.SOCK_CLOEXEC,
                    NetlinkRoutes.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new ErrnoException("socket(AF_NETLINK, NETLINK_ROUTE)", e.getErrorCode());
        }
        try {
            byte[] timeval = NetlinkRoutes.timeval();
            setsockopt(fd, NetlinkRoutes.SOL_SOCKET, NetlinkRoutes.SO_RCVTIMEO, timeval, timeval.length);
        } catch (LastErrorException ignored) {
            // without a timeout the kernel still answers at once; this is a safety net only
        }
        return new Connection() {
            @Override
            public void send(byte[] message) throws ErrnoException {
                try {
                    NetlinkTransportJna.send(fd, message, new NativeLong(message.length), 0);
                } catch (LastErrorException e) {
                    throw new ErrnoException("send", e.getErrorCode());
                }
            }

            @Override
            public void joinGroup(int group) throws ErrnoException {
                byte[] value = LinkEvents.intBytes(group);
                try {
                    setsockopt(fd, LinkEvents.SOL_NETLINK, LinkEvents.NETLINK_ADD_MEMBERSHIP, value, value.length);
                } catch (LastErrorException e) {
                    throw new ErrnoException("setsockopt(NETLINK_ADD_MEMBERSHIP)", e.getErrorCode());
                }
            }

            @Override
            public int receive(byte[] buffer) throws ErrnoException {
                try {
                    return recv(fd, buffer, new NativeLong(buffer.length), 0).intValue();
                } catch (LastErrorException e) {
                    throw new ErrnoException("recv", e.getErrorCode());
                }
            }

            @Override
            public void close() {
                try {
                    NetlinkTransportJna.close(fd);
                } catch (LastErrorException ignored) {
                    // nothing to do: the descriptor is gone either way
                }
            }
        };
    }

    @Override
    public int interfaceIndex(String name) {
        return if_nametoindex(name);
    }
}
