package io.ifpin.bridge;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * The only ifpin class the JDK's own socket code calls. It lives in the bootstrap loader because the calls patched
 * into {@code java.base} can only link to bootstrap classes (docs/dev/architecture.md, "Class-loader map").
 *
 * <p>One {@code volatile} field holds the implementation, set once by the agent after its rules are loaded; until
 * then every call is a no-op. Every method catches everything the hook throws except the {@link IOException} a hook
 * raises on purpose (a deny or fail-closed rule refusing the socket), so an ifpin bug never breaks the application's
 * connect or send.
 */
public final class PinBridge {

    private static volatile PinHook hook;

    /** Null unless a rule has {@code dns}, or a deny rule has {@code hosts}: then a lookup costs one volatile read. */
    private static volatile NameHook nameHook;

    /**
     * Which ifpin agent owns this JVM, for a second {@code -javaagent} of ifpin: each has its own class loader, and
     * this class (defined once, in the bootstrap loader) is what they share. Written by {@code core.Installation}.
     */
    private static String installation;

    private PinBridge() {
    }

    /** The installation recorded so far, or null. */
    public static synchronized String installation() {
        return installation;
    }

    /** Records {@code replacement} if the installation is still {@code expected}; returns whether it did. */
    public static synchronized boolean replaceInstallation(String expected, String replacement) {
        if (installation == null ? expected != null : !installation.equals(expected)) {
            return false;
        }
        installation = replacement;
        return true;
    }

    public static void install(PinHook pinHook) {
        hook = pinHook;
    }

    public static void installNameHook(NameHook lookupHook) {
        nameHook = lookupHook;
    }

    /**
     * From {@code InetAddress.getAddressesFromNameService}, below the JDK's address cache: the answer of a rule's DNS
     * servers, or null to let the JDK ask its own resolver. A failure of the hook itself fails the lookup (never the
     * system resolver in its place: that could send a rule's name where the rule says it must not go).
     */
    public static InetAddress[] lookupName(String host) throws UnknownHostException {
        NameHook h = nameHook;
        if (h == null || host == null) {
            return null;
        }
        try {
            return h.lookup(host);
        } catch (UnknownHostException refused) {
            throw refused;
        } catch (Throwable t) {
            try {
                h.hookFailed(t);
            } catch (Throwable ignored) {
                // The lookup fails below either way.
            }
            UnknownHostException failed = new UnknownHostException(host + ": ifpin's lookup failed (" + t + ")");
            failed.initCause(t);
            throw failed;
        }
    }

    /** From {@code NioSocketImpl.beginConnect}: the address is already resolved. */
    public static void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) throws IOException {
        PinHook h = hook;
        if (h == null || address == null) {
            return;
        }
        try {
            h.beforeTcpConnect(fd, address, port);
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /** From {@code SocketChannelImpl} and {@code UnixAsynchronousSocketChannelImpl}: may be a Unix domain address. */
    public static void beforeTcpConnect(FileDescriptor fd, SocketAddress remote) throws IOException {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress isa = (InetSocketAddress) remote;
            beforeTcpConnect(fd, isa.getAddress(), isa.getPort());
        }
    }

    /** From {@code DatagramChannelImpl} connect and unconnected send (DatagramSocket delegates to it). */
    public static void beforeUdpSend(FileDescriptor fd, SocketAddress remote) throws IOException {
        PinHook h = hook;
        if (h == null || !(remote instanceof InetSocketAddress)) {
            return;
        }
        InetSocketAddress isa = (InetSocketAddress) remote;
        InetAddress address = isa.getAddress();
        if (address == null) {
            return; // unresolved: the JDK throws UnresolvedAddressException right after us
        }
        try {
            h.beforeUdpSend(fd, address, isa.getPort());
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /**
     * From a native transport's connect ({@code <prefix>.channel.unix.Socket.connect}, io_uring's
     * {@code AbstractIoUringChannel.submitConnect}): the descriptor is a plain int. May be a Unix domain address.
     */
    public static void beforeNativeConnect(int fd, SocketAddress remote) throws IOException {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress isa = (InetSocketAddress) remote;
            beforeNativeSend(fd, isa.getAddress(), isa.getPort());
        }
    }

    /** From a native transport's {@code sendTo*} (UDP, or TCP fast open) and io_uring's {@code sendmsg} set-up. */
    public static void beforeNativeSend(int fd, SocketAddress remote) throws IOException {
        beforeNativeConnect(fd, remote);
    }

    /** From a native transport's {@code Socket.sendTo*}: UDP, or TCP with fast open. */
    public static void beforeNativeSend(int fd, InetAddress address, int port) throws IOException {
        PinHook h = hook;
        if (h == null || address == null || fd < 0) {
            return;
        }
        try {
            h.beforeNativeConnectOrSend(fd, address, port);
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /** From Netty epoll's {@code LinuxSocket.sendmmsg}: a batch of datagrams, destinations in Netty's packets. */
    public static void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) throws IOException {
        PinHook h = hook;
        if (h == null || fd < 0 || packets == null) {
            return;
        }
        try {
            h.beforeNativeSendBatch(fd, packets, offset, count);
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /** From the JDK's listen paths ({@code Net.listen} in NioSocketImpl and the server channels), before listen(2). */
    public static void beforeListen(FileDescriptor fd) throws IOException {
        PinHook h = hook;
        if (h == null || fd == null) {
            return;
        }
        try {
            h.beforeListen(fd);
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /** From a native transport's {@code Socket.listen(int)}. */
    public static void beforeNativeListen(int fd) throws IOException {
        PinHook h = hook;
        if (h == null || fd < 0) {
            return;
        }
        try {
            h.beforeNativeListen(fd);
        } catch (IOException refused) {
            throw refused;
        } catch (Throwable t) {
            reportFailure(h, t);
        }
    }

    /**
     * From the code inserted into a native transport's class, when reading the descriptor there ({@code intValue()},
     * io_uring's {@code fd()}) threw: reported as a failure of the hook; the transport's method then runs unpinned.
     */
    public static void nativeDescriptorFailed(Throwable failure) {
        PinHook h = hook;
        if (h != null && failure != null) {
            reportFailure(h, failure);
        }
    }

    private static void reportFailure(PinHook h, Throwable t) {
        try {
            h.hookFailed(t);
        } catch (Throwable ignored) {
            // Reporting failed too (out of memory, a broken log file): the socket must still proceed.
        }
    }
}
