package io.ifpin.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SocketOptions} on Linux through JNA direct mapping (the fastest JNA mode: a static native method per call,
 * errno surfaced as {@link LastErrorException}).
 */
public final class LinuxSocketsJna implements SocketOptions {

    private static final int SOL_SOCKET = LinuxSockets.SOL_SOCKET;
    private static final int SO_BINDTODEVICE = LinuxSockets.SO_BINDTODEVICE;
    private static final int SO_TYPE = LinuxSockets.SO_TYPE;
    private static final int IFNAMSIZ = LinuxSockets.IFNAMSIZ;
    private static final int AF_INET = LinuxSockets.AF_INET;
    private static final int AF_INET6 = LinuxSockets.AF_INET6;
    private static final int SOCK_CLOEXEC = LinuxSockets.SOCK_CLOEXEC;
    private static final int SOCKADDR_STORAGE_SIZE = LinuxSockets.SOCKADDR_STORAGE_SIZE;

    private final InterfaceNameBytes names = new InterfaceNameBytes(1);

    static {
        Native.register(LinuxSocketsJna.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int setsockopt(int fd, int level, int optname, byte[] optval, int optlen)
            throws LastErrorException;

    private static native int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen)
            throws LastErrorException;

    private static native int getsockname(int fd, byte[] address, int[] addressLength) throws LastErrorException;

    private static native int getsockopt(int fd, int level, int optname, int[] optval, int[] optlen)
            throws LastErrorException;

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native Pointer if_nameindex() throws LastErrorException;

    private static native void if_freenameindex(Pointer nameIndex);

    /** Throws when this platform's socket constants are not the asm-generic ones above. */
    public static SocketOptions load() {
        LinuxSockets.checkPlatform();
        return new LinuxSocketsJna();
    }

    private LinuxSocketsJna() {
    }

    @Override
    public String implementation() {
        return "JNA";
    }

    @Override
    public String boundDevice(int fd) throws ErrnoException {
        byte[] name = new byte[IFNAMSIZ];
        int[] length = {IFNAMSIZ};
        try {
            getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, length);
        } catch (LastErrorException e) {
            throw new ErrnoException("getsockopt(SO_BINDTODEVICE)", e.getErrorCode());
        }
        return LinuxSockets.deviceName(name, length[0]);
    }

    @Override
    public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
        byte[] name = names.of(interfaceName); // NUL-terminated
        try {
            setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length);
        } catch (LastErrorException e) {
            throw new ErrnoException("setsockopt(SO_BINDTODEVICE, \"" + interfaceName + "\")", e.getErrorCode());
        }
    }

    @Override
    public int localFamily(int fd) throws ErrnoException {
        byte[] sockaddr = new byte[SOCKADDR_STORAGE_SIZE];
        int[] length = {SOCKADDR_STORAGE_SIZE};
        try {
            getsockname(fd, sockaddr, length);
        } catch (LastErrorException e) {
            throw new ErrnoException("getsockname", e.getErrorCode());
        }
        return LinuxSockets.localFamily(sockaddr);
    }

    @Override
    public void setMark(int fd, byte[] mark) throws ErrnoException {
        try {
            setsockopt(fd, SOL_SOCKET, LinuxSockets.SO_MARK, mark, mark.length);
        } catch (LastErrorException e) {
            throw new ErrnoException("setsockopt(SO_MARK)", e.getErrorCode());
        }
    }

    @Override
    public int mark(int fd) throws ErrnoException {
        int[] mark = new int[1];
        int[] length = {4};
        try {
            getsockopt(fd, SOL_SOCKET, LinuxSockets.SO_MARK, mark, length);
        } catch (LastErrorException e) {
            throw new ErrnoException("getsockopt(SO_MARK)", e.getErrorCode());
        }
        return mark[0];
    }

    @Override
    public void bindSource(int fd, byte[] sockaddr, boolean noPort) throws ErrnoException {
        if (noPort) {
            try {
                setsockopt(fd, LinuxSockets.SOL_IP, LinuxSockets.IP_BIND_ADDRESS_NO_PORT, LinuxSockets.ONE, 4);
            } catch (LastErrorException e) {
                throw new ErrnoException("setsockopt(IP_BIND_ADDRESS_NO_PORT)", e.getErrorCode());
            }
        }
        try {
            bind(fd, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            throw new ErrnoException("bind", e.getErrorCode());
        }
    }

    @Override
    public String localAddress(int fd) {
        return LinuxSockets.format(localSocketAddress(fd));
    }

    @Override
    public InetSocketAddress localSocketAddress(int fd) {
        byte[] sockaddr = new byte[SOCKADDR_STORAGE_SIZE];
        int[] length = {SOCKADDR_STORAGE_SIZE};
        try {
            getsockname(fd, sockaddr, length);
        } catch (LastErrorException e) {
            return null;
        }
        return LinuxSockets.socketAddress(sockaddr);
    }

    @Override
    public int socketType(int fd) throws ErrnoException {
        int[] type = new int[1];
        int[] length = {4};
        try {
            getsockopt(fd, SOL_SOCKET, SO_TYPE, type, length);
        } catch (LastErrorException e) {
            throw new ErrnoException("getsockopt(SO_TYPE)", e.getErrorCode());
        }
        return type[0];
    }

    @Override
    public int openProbeSocket() throws ErrnoException {
        try {
            return socket(AF_INET6, SocketOptions.SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EAFNOSUPPORT) {
                throw new ErrnoException("socket(AF_INET6, SOCK_DGRAM)", e.getErrorCode());
            }
        }
        try {
            return socket(AF_INET, SocketOptions.SOCK_DGRAM | SOCK_CLOEXEC, 0); // a kernel without IPv6
        } catch (LastErrorException e) {
            throw new ErrnoException("socket(AF_INET, SOCK_DGRAM)", e.getErrorCode());
        }
    }

    @Override
    public void closeProbeSocket(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // a probe socket: nothing to do about a failed close
        }
    }

    @Override
    public List<String> interfaceNames() throws ErrnoException {
        Pointer index;
        try {
            index = if_nameindex();
        } catch (LastErrorException e) {
            throw new ErrnoException("if_nameindex", e.getErrorCode());
        }
        List<String> names = new ArrayList<>();
        try {
            // struct if_nameindex { unsigned int if_index; char *if_name; } (net/if.h), padded to pointer alignment.
            long entrySize = 2L * Native.POINTER_SIZE;
            for (long offset = 0; ; offset += entrySize) {
                int ifIndex = index.getInt(offset);
                Pointer name = index.getPointer(offset + Native.POINTER_SIZE);
                if (ifIndex == 0 && name == null) {
                    break;
                }
                names.add(name.getString(0, StandardCharsets.US_ASCII.name()));
            }
        } finally {
            if_freenameindex(index);
        }
        return names;
    }
}
