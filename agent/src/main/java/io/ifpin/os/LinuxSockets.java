package io.ifpin.os;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@link LinuxSocketsJna} and {@link LinuxSocketsFfm} share: the Linux constants and the decoding of what the
 * kernel answers. Free of JNA, so that the FFM implementation never loads it.
 */
final class LinuxSockets {

    /** asm-generic/socket.h (x86, arm, arm64, riscv, ppc; {@link #checkPlatform} refuses other layouts). */
    static final int SOL_SOCKET = 1;
    /** asm-generic/socket.h */
    static final int SO_TYPE = 3;
    static final int SO_BINDTODEVICE = 25;
    /** asm-generic/socket.h */
    static final int SO_MARK = 36;
    /** linux/in.h: level IPPROTO_IP, also for AF_INET6 sockets (ipv6_setsockopt passes SOL_IP to ip_setsockopt). */
    static final int SOL_IP = 0;
    static final int IP_BIND_ADDRESS_NO_PORT = 24;
    /** The C int 1, for boolean socket options. */
    static final byte[] ONE = java.nio.ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
    /** linux/if.h: interface names are at most 15 bytes plus the terminating NUL. */
    static final int IFNAMSIZ = 16;
    /** bits/socket.h: address families in struct sockaddr. */
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** bits/socket_type.h: O_CLOEXEC of asm-generic/fcntl.h; close ifpin's own sockets on exec (the app may fork). */
    static final int SOCK_CLOEXEC = 02000000;
    /** sizeof(struct sockaddr_storage), bits/socket.h */
    static final int SOCKADDR_STORAGE_SIZE = 128;

    private LinuxSockets() {
    }

    /** Throws when this is not Linux, or a Linux whose socket constants are not the asm-generic ones above. */
    static void checkPlatform() {
        String os = System.getProperty("os.name");
        if (!"Linux".equals(os)) {
            throw new UnsupportedOperationException("ifpin needs Linux (SO_BINDTODEVICE); this is " + os);
        }
        String arch = System.getProperty("os.arch");
        if (arch.startsWith("mips") || arch.startsWith("sparc") || arch.startsWith("parisc")
                || arch.startsWith("alpha")) {
            throw new UnsupportedOperationException("SO_BINDTODEVICE has another number on " + arch);
        }
    }

    /** getsockopt(SO_BINDTODEVICE)'s answer: length 0 for an unbound socket, else the name with its NUL (net/core/sock.c). */
    static String deviceName(byte[] name, int length) {
        int end = 0;
        while (end < length && end < name.length && name[end] != 0) {
            end++;
        }
        return new String(name, 0, end, StandardCharsets.US_ASCII);
    }

    /** A struct sockaddr from getsockname as an address, or null when it is not an IP one. */
    static InetSocketAddress socketAddress(byte[] sockaddr) {
        // sa_family is in host byte order, the port in network (big-endian) order.
        int family = ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
        int port = (sockaddr[2] & 0xff) << 8 | (sockaddr[3] & 0xff);
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
            }
            if (family == AF_INET6) {
                // No scope: listeners on link-local addresses are matched by address and port only.
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 8, 24)), port);
            }
        } catch (UnknownHostException impossible) {
            // a literal of 4 or 16 bytes
        }
        return null;
    }

    /**
     * The C int in the first four bytes of {@code value}, in the machine's byte order: read without a
     * {@code ByteBuffer}, which the JIT does not always remove, so setting a mark on every connect allocates nothing
     * (PinCallAllocationTest).
     */
    static int nativeInt(byte[] value) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (value[0] & 0xff) | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24
                : (value[0] & 0xff) << 24 | (value[1] & 0xff) << 16 | (value[2] & 0xff) << 8 | (value[3] & 0xff);
    }

    /**
     * {@link SocketOptions#localFamily}'s answer from a {@code struct sockaddr}'s bytes: family (host order), and
     * {@link SocketOptions#LOCAL_BOUND} when the port or the address is not 0.
     */
    static int localFamily(byte[] sockaddr) {
        int family = ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
        int from;
        int to;
        if (family == AF_INET) {
            from = 4;
            to = 8;
        } else if (family == AF_INET6) {
            from = 8;
            to = 24;
        } else {
            return family;
        }
        boolean bound = sockaddr[2] != 0 || sockaddr[3] != 0;
        for (int i = from; i < to && !bound; i++) {
            bound = sockaddr[i] != 0;
        }
        return bound ? family | SocketOptions.LOCAL_BOUND : family;
    }

    /** For messages: {@code ip:port}, or {@code "?"}. */
    static String format(InetSocketAddress local) {
        return local == null ? "?" : Addresses.format(local.getAddress(), local.getPort());
    }
}
