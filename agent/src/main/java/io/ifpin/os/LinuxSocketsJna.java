package io.ifpin.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link SocketOptions} on Linux through JNA direct mapping (the fastest JNA mode: a static native method per call,
 * errno surfaced as {@link LastErrorException}).
 */
public final class LinuxSocketsJna implements SocketOptions {

    /** asm-generic/socket.h (x86, arm, arm64, riscv, ppc; ifpin refuses other layouts at startup). */
    static final int SOL_SOCKET = 1;
    /** asm-generic/socket.h */
    static final int SO_BINDTODEVICE = 25;
    /** linux/if.h: interface names are at most 15 bytes plus the terminating NUL. */
    static final int IFNAMSIZ = 16;
    /** asm-generic/socket.h */
    static final int SO_TYPE = 3;
    /** bits/socket.h: address families in struct sockaddr. */
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    /** bits/socket_type.h: close the probe socket on exec (the application may fork). */
    private static final int SOCK_CLOEXEC = 02000000;
    /** sizeof(struct sockaddr_storage), bits/socket.h */
    private static final int SOCKADDR_STORAGE_SIZE = 128;

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

    private static native int close(int fd) throws LastErrorException;

    private static native Pointer if_nameindex() throws LastErrorException;

    private static native void if_freenameindex(Pointer nameIndex);

    /** Throws when this platform's socket constants are not the asm-generic ones above. */
    public static SocketOptions load() {
        if (!Platform.isLinux()) {
            throw new UnsupportedOperationException("ifpin needs Linux (SO_BINDTODEVICE); this is " + System.getProperty("os.name"));
        }
        String arch = System.getProperty("os.arch");
        if (Platform.isMIPS() || Platform.isSPARC() || arch.startsWith("parisc") || arch.startsWith("alpha")) {
            throw new UnsupportedOperationException("SO_BINDTODEVICE has another number on " + System.getProperty("os.arch"));
        }
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
        return deviceName(name, length[0]);
    }

    /** getsockopt(SO_BINDTODEVICE)'s answer: length 0 for an unbound socket, else the name with its NUL (net/core/sock.c). */
    static String deviceName(byte[] name, int length) {
        int end = 0;
        while (end < length && end < name.length && name[end] != 0) {
            end++;
        }
        return new String(name, 0, end, StandardCharsets.US_ASCII);
    }

    @Override
    public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
        byte[] bytes = interfaceName.getBytes(StandardCharsets.US_ASCII);
        byte[] name = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, name, 0, bytes.length);
        try {
            setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length);
        } catch (LastErrorException e) {
            throw new ErrnoException("setsockopt(SO_BINDTODEVICE, \"" + interfaceName + "\")", e.getErrorCode());
        }
    }

    @Override
    public String localAddress(int fd) {
        InetSocketAddress local = localSocketAddress(fd);
        return local == null ? "?" : Addresses.format(local.getAddress(), local.getPort());
    }

    @Override
    public InetSocketAddress localSocketAddress(int fd) {
        byte[] sockaddr = new byte[SOCKADDR_STORAGE_SIZE];
        int[] length = {SOCKADDR_STORAGE_SIZE};
        try {
            getsockname(fd, sockaddr, length);
            // sa_family is in host byte order, the port in network (big-endian) order.
            int family = ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
            int port = (sockaddr[2] & 0xff) << 8 | (sockaddr[3] & 0xff);
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
            }
            if (family == AF_INET6) {
                // No scope: listeners on link-local addresses are matched by address and port only.
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 8, 24)), port);
            }
            return null;
        } catch (LastErrorException | UnknownHostException e) {
            return null;
        }
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
            return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EAFNOSUPPORT) {
                throw new ErrnoException("socket(AF_INET6, SOCK_DGRAM)", e.getErrorCode());
            }
        }
        try {
            return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); // a kernel without IPv6
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
