package io.ifpin.os;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SocketOptions} on Linux through the JDK's Foreign Function API (final in Java 22), with no JNA: the
 * system calls are {@link Libc}'s, the interface list is rtnetlink's ({@code RTM_GETLINK} dump, as glibc's
 * {@code if_nameindex} itself asks). On Java 22+ ifpin makes every native call this way (docs/dev/architecture.md,
 * "Native calls"); {@code io.ifpin.core.NativeCalls} chooses.
 */
public final class LinuxSocketsFfm implements SocketOptions {

    /** A name no interface can have ('/' is not allowed in one), so binding to it fails in every namespace. */
    private static final String NO_SUCH_INTERFACE = "ifpin/none";

    private final NetlinkRoutes netlink;
    private final InterfaceNameBytes names = new InterfaceNameBytes(0);

    private LinuxSocketsFfm(NetlinkRoutes netlink) {
        this.netlink = netlink;
    }

    /**
     * The FFM implementation after a check on a throwaway UDP socket (no traffic): an unbound socket reads as
     * unbound, and binding it to an impossible name fails with ENODEV (EPERM before Linux 5.7 without CAP_NET_RAW),
     * which proves the errno capture. Throws, saying why, when the API is missing or the check fails
     * (UnsupportedOperationException: no usable API here; another exception: the check failed); the caller then
     * uses JNA.
     */
    public static LinuxSocketsFfm load() throws Exception {
        Throwable unavailable = Libc.unavailable();
        if (unavailable != null) {
            throw new UnsupportedOperationException(unavailable instanceof UnsupportedOperationException
                    ? unavailable.getMessage() : unavailable.toString(), unavailable);
        }
        LinuxSockets.checkPlatform();
        LinuxSocketsFfm ffm = new LinuxSocketsFfm(NetlinkRoutes.ffm());
        int fd = ffm.openProbeSocket();
        try {
            String bound = ffm.boundDevice(fd);
            if (!bound.isEmpty()) {
                throw new IllegalStateException("a new socket read as bound to '" + bound + "'");
            }
            try {
                ffm.bindToDevice(fd, NO_SUCH_INTERFACE);
                throw new IllegalStateException("binding to '" + NO_SUCH_INTERFACE + "' succeeded");
            } catch (ErrnoException expected) {
                if (expected.errno() != Errno.ENODEV && expected.errno() != Errno.EPERM) {
                    throw new IllegalStateException("binding to '" + NO_SUCH_INTERFACE + "' failed with "
                            + expected.errnoName() + ", not ENODEV or EPERM");
                }
            }
        } finally {
            ffm.closeProbeSocket(fd);
        }
        return ffm;
    }

    /** How ifpin's module got native access, for the debug line. */
    public static String nativeAccess() {
        return NativeAccessModule.grant();
    }

    /** The rtnetlink queries through the same API, for the route checks. */
    public Routes routes() {
        return netlink;
    }

    @Override
    public String implementation() {
        return "FFM";
    }

    @Override
    public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
        // No NUL needed: the kernel copies optlen bytes (at most IFNAMSIZ - 1) into a zeroed buffer (net/core/sock.c).
        int errno = Libc.setsockoptReused(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_BINDTODEVICE,
                names.of(interfaceName));
        if (errno != 0) {
            throw new ErrnoException("setsockopt(SO_BINDTODEVICE, \"" + interfaceName + "\")", errno);
        }
    }

    @Override
    public int localFamily(int fd) throws ErrnoException {
        int answer = Libc.localFamilyReused(fd);
        if (answer < 0) {
            throw new ErrnoException("getsockname", -answer);
        }
        return answer;
    }

    @Override
    public void setMark(int fd, byte[] mark) throws ErrnoException {
        int errno = Libc.setsockoptIntReused(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_MARK,
                LinuxSockets.nativeInt(mark));
        if (errno != 0) {
            throw new ErrnoException("setsockopt(SO_MARK)", errno);
        }
    }

    @Override
    public int mark(int fd) throws ErrnoException {
        byte[] mark = new byte[4];
        Libc.getsockopt(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_MARK, mark, "getsockopt(SO_MARK)");
        return java.nio.ByteBuffer.wrap(mark).order(java.nio.ByteOrder.nativeOrder()).getInt();
    }

    @Override
    public void bindSource(int fd, byte[] sockaddr, boolean noPort) throws ErrnoException {
        if (noPort) {
            int errno = Libc.setsockoptIntReused(fd, LinuxSockets.SOL_IP, LinuxSockets.IP_BIND_ADDRESS_NO_PORT, 1);
            if (errno != 0) {
                throw new ErrnoException("setsockopt(IP_BIND_ADDRESS_NO_PORT)", errno);
            }
        }
        int errno = Libc.bindReused(fd, sockaddr);
        if (errno != 0) {
            throw new ErrnoException("bind", errno);
        }
    }

    @Override
    public String boundDevice(int fd) throws ErrnoException {
        byte[] name = new byte[LinuxSockets.IFNAMSIZ];
        int length = Libc.getsockopt(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_BINDTODEVICE, name,
                "getsockopt(SO_BINDTODEVICE)");
        return LinuxSockets.deviceName(name, length);
    }

    @Override
    public int socketType(int fd) throws ErrnoException {
        byte[] type = new byte[4];
        Libc.getsockopt(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_TYPE, type, "getsockopt(SO_TYPE)");
        return java.nio.ByteBuffer.wrap(type).order(java.nio.ByteOrder.nativeOrder()).getInt();
    }

    @Override
    public InetSocketAddress localSocketAddress(int fd) {
        byte[] sockaddr = new byte[LinuxSockets.SOCKADDR_STORAGE_SIZE];
        try {
            Libc.getsockname(fd, sockaddr);
        } catch (ErrnoException e) {
            return null;
        }
        return LinuxSockets.socketAddress(sockaddr);
    }

    @Override
    public String localAddress(int fd) {
        return LinuxSockets.format(localSocketAddress(fd));
    }

    @Override
    public int openProbeSocket() throws ErrnoException {
        try {
            return Libc.socket(LinuxSockets.AF_INET6, SocketOptions.SOCK_DGRAM | LinuxSockets.SOCK_CLOEXEC, 0,
                    "socket(AF_INET6, SOCK_DGRAM)");
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAFNOSUPPORT) {
                throw e;
            }
        }
        return Libc.socket(LinuxSockets.AF_INET, SocketOptions.SOCK_DGRAM | LinuxSockets.SOCK_CLOEXEC, 0,
                "socket(AF_INET, SOCK_DGRAM)"); // a kernel without IPv6
    }

    @Override
    public void closeProbeSocket(int fd) {
        Libc.close(fd);
    }

    @Override
    public List<String> interfaceNames() throws ErrnoException {
        List<Routes.Link> links = new ArrayList<>(netlink.links());
        links.sort(java.util.Comparator.comparingInt(Routes.Link::index)); // if_nameindex's order
        List<String> names = new ArrayList<>();
        for (Routes.Link link : links) {
            names.add(link.name());
        }
        return names;
    }
}
