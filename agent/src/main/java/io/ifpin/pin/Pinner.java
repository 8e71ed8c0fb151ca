package io.ifpin.pin;

import io.ifpin.bridge.PinHook;
import io.ifpin.config.LogLevel;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.log.IfpinLog;
import io.ifpin.os.Addresses;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.io.FileDescriptor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Decides and applies the binding of one socket: find the first matching rule, read the socket's current binding,
 * and set {@code SO_BINDTODEVICE} only when it differs.
 *
 * <p>Reading first matters: since Linux 5.7 an unprivileged process may bind a socket that is not bound yet, but
 * any change of an existing binding (even to the same device) needs {@code CAP_NET_RAW} (net/core/sock.c,
 * {@code sock_bindtoindex_locked}). An unconnected UDP socket whose sends all go the same way is thus pinned once.
 *
 * <p>On any failure the socket proceeds as it is ("fail-open") and the problem is reported once per rule and cause.
 */
public final class Pinner implements PinHook {

    /** What {@link #currentBinding} reports for a socket bound to an interface that no longer exists. */
    static final String DELETED_INTERFACE = "(a deleted interface)";

    private final RuleSet rules;
    private final SocketOptions sockets;
    private final ErrorReporter reporter;
    private final KernelVersion kernel;
    private final AsyncRouteChecker routeChecker;

    /** Without route checks (tests). */
    public Pinner(RuleSet rules, SocketOptions sockets, ErrorReporter reporter, KernelVersion kernel) {
        this(rules, sockets, reporter, kernel, AsyncRouteChecker.DISABLED);
    }

    /** @param routeChecker told about every pinned socket; checks its route on its own thread */
    public Pinner(RuleSet rules, SocketOptions sockets, ErrorReporter reporter, KernelVersion kernel,
                  AsyncRouteChecker routeChecker) {
        this.rules = rules;
        this.sockets = sockets;
        this.reporter = reporter;
        this.kernel = kernel;
        this.routeChecker = routeChecker;
    }

    @Override
    public void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) {
        pin(fd, address, port, Protocol.TCP);
    }

    @Override
    public void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) {
        pin(fd, address, port, Protocol.UDP);
    }

    /**
     * Runs the hot path once in premain, without a socket (fd -1 stops it after the rule match), so that the classes
     * and call sites it needs are loaded and linked before the application's first connect. Loading them on an
     * application thread is slower, and on a virtual thread it can pin the carrier while another virtual thread
     * holds the agent loader's lock (JFR {@code jdk.VirtualThreadPinned}, VirtualThreadsIT).
     */
    public void warmUp() {
        FileDescriptors.intValue(null);
        for (InetAddress address : new InetAddress[] {InetAddress.getLoopbackAddress(), IPV6_LOOPBACK}) {
            for (Protocol protocol : Protocol.values()) {
                pin(-1, address, 1, protocol);
            }
            rules.matchInbound(address, 1);
        }
        try {
            NettyDatagramPackets.recipient(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e); // null is "no destination"
        }
        AsyncRouteChecker.warmUp();
    }

    private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void hookFailed(Throwable failure) {
        reporter.report("internal error " + failure.getClass().getName(), LogLevel.ERROR, () -> {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            return "internal error while pinning a socket; the socket proceeds unpinned. Please report this"
                    + " with the trace: " + trace;
        });
    }

    @Override
    public void beforeNativeConnectOrSend(int fd, InetAddress address, int port) {
        if (rules.match(address, port, Protocol.TCP) == null && rules.match(address, port, Protocol.UDP) == null) {
            return; // the common case costs no system call
        }
        Protocol protocol = protocolOf(fd);
        if (protocol != null) {
            pin(fd, address, port, protocol);
        }
    }

    /**
     * Netty epoll flushes several datagrams at once with {@code sendmmsg}; each destination is read from Netty's
     * packet object ({@link NettyDatagramPackets}) and pinned as an unconnected send would be. A connected channel's
     * packets carry no destination (pinned at connect). The addresses carry no host name, so only {@code cidrs}
     * rules can match them.
     */
    @Override
    public void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) {
        if (!rules.hasOutbound(Protocol.UDP)) {
            return;
        }
        int end = Math.min(packets.length, offset + count);
        for (int i = Math.max(0, offset); i < end; i++) {
            InetSocketAddress target;
            try {
                target = NettyDatagramPackets.recipient(packets[i]);
            } catch (ReflectiveOperationException | RuntimeException e) {
                String type = packets[i] == null ? "null" : packets[i].getClass().getName();
                reporter.report("netty sendmmsg unreadable " + type, LogLevel.ERROR, () -> "not covered: Netty epoll"
                        + " datagram batches (sendmmsg): cannot read the destination from " + type + " (" + e
                        + "), so datagrams Netty sends in batches are NOT pinned. Fix: connect() the channel to its"
                        + " destination, or report this with your Netty version.");
                return;
            }
            if (target != null) {
                pin(fd, target.getAddress(), target.getPort(), Protocol.UDP);
            }
        }
    }

    @Override
    public void beforeListen(FileDescriptor fd) {
        pinListener(FileDescriptors.intValue(fd));
    }

    @Override
    public void beforeNativeListen(int fd) {
        pinListener(fd);
    }

    void pin(FileDescriptor fd, InetAddress address, int port, Protocol protocol) {
        pin(FileDescriptors.intValue(fd), address, port, protocol);
    }

    /** The core for every caller: the JDK's FileDescriptor paths and the native transports' int descriptors. */
    void pin(int fdValue, InetAddress address, int port, Protocol protocol) {
        Rule rule = rules.match(address, port, protocol);
        if (rule == null) {
            return; // no rule: the socket is left exactly as it was
        }
        if (fdValue < 0) {
            return; // closed concurrently: the JDK reports that itself
        }
        String wanted = rule.interfaceName();
        String current = currentBinding(fdValue);
        if (wanted.equals(current)) {
            routeChecker.maybeCheck(rule, wanted, address);
            return;
        }
        try {
            sockets.bindToDevice(fdValue, wanted);
            routeChecker.maybeCheck(rule, wanted, address);
            if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
                IfpinLog.debug("rule '" + rule.name() + "': pinned " + describe(fdValue, protocol, address, port)
                        + " to '" + wanted + "'");
            }
        } catch (ErrnoException e) {
            reportFailure(rule, fdValue, protocol, address, port, current, e);
        }
    }

    /**
     * A listening socket, bound and about to listen: the first inbound rule for its local address and port binds it,
     * so it only accepts connections that arrive on that interface (the kernel's listener lookup skips a socket
     * bound to another device). The same read-before-set and error reports as outbound sockets.
     */
    void pinListener(int fd) {
        if (fd < 0 || !rules.hasInbound()) {
            return;
        }
        InetSocketAddress local = sockets.localSocketAddress(fd);
        if (local == null) {
            return; // not an IP socket (Unix domain), or closed
        }
        Rule rule = rules.matchInbound(local.getAddress(), local.getPort());
        if (rule == null) {
            return;
        }
        String wanted = rule.interfaceName();
        String current = currentBinding(fd);
        if (wanted.equals(current)) {
            return;
        }
        try {
            sockets.bindToDevice(fd, wanted);
            if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
                IfpinLog.debug("rule '" + rule.name() + "': pinned listener " + Addresses.format(local.getAddress(),
                        local.getPort()) + " to '" + wanted + "'");
            }
        } catch (ErrnoException e) {
            String key = "rule '" + rule.name() + "': " + e.errnoName() + " pinning to '" + wanted + "'";
            LogLevel level = e.errno() == Errno.EBADF ? LogLevel.DEBUG : LogLevel.ERROR;
            reporter.report(key, level, () -> explain(rule, "listener " + Addresses.format(local.getAddress(),
                    local.getPort()), current, e));
        }
    }

    /** TCP or UDP from the kernel ({@code SO_TYPE}), for callers that serve both; null for anything else. */
    private Protocol protocolOf(int fd) {
        try {
            switch (sockets.socketType(fd)) {
                case SocketOptions.SOCK_STREAM:
                    return Protocol.TCP;
                case SocketOptions.SOCK_DGRAM:
                    return Protocol.UDP;
                default:
                    return null;
            }
        } catch (ErrnoException e) {
            IfpinLog.debug("getsockopt(SO_TYPE) on fd " + fd + " failed: " + e.getMessage());
            return null;
        }
    }

    /**
     * The interface the socket is bound to, {@code ""} when unbound, or {@link #DELETED_INTERFACE} when the kernel
     * cannot name it: the socket keeps the index of an interface that was deleted (a VPN that reconnected and got a
     * new tun0). Binding again is the only way to make such a socket work, so the set is attempted in every case.
     */
    private String currentBinding(int fd) {
        try {
            return sockets.boundDevice(fd);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENODEV) {
                return DELETED_INTERFACE;
            }
            IfpinLog.debug("getsockopt(SO_BINDTODEVICE) on fd " + fd + " failed: " + e.getMessage());
            return "";
        }
    }

    private void reportFailure(Rule rule, int fd, Protocol protocol, InetAddress address, int port, String current,
                               ErrnoException e) {
        String key = "rule '" + rule.name() + "': " + e.errnoName() + " pinning to '" + rule.interfaceName() + "'";
        LogLevel level = e.errno() == Errno.EBADF ? LogLevel.DEBUG : LogLevel.ERROR;
        reporter.report(key, level, () -> explain(rule, describe(fd, protocol, address, port), current, e));
    }

    /** The operator's one line: which rule, which socket, what the kernel said, why, and the fix. */
    String explain(Rule rule, String socket, String current, ErrnoException e) {
        String wanted = rule.interfaceName();
        String head = "rule '" + rule.name() + "' (" + rule.origin() + "): cannot pin " + socket + " to interface '"
                + wanted + "': " + e.errnoName() + ". ";
        String proceeds;
        if (current.isEmpty()) {
            proceeds = " The socket proceeds unpinned (fail-open).";
        } else if (current.equals(DELETED_INTERFACE)) {
            proceeds = " The socket stays bound to the deleted interface, so its traffic fails with ENODEV.";
        } else {
            proceeds = " The socket proceeds bound to '" + current + "' (fail-open).";
        }
        switch (e.errno()) {
            case Errno.EPERM:
                return head + eperm(current, wanted) + proceeds;
            case Errno.ENODEV:
                return head + "There is no interface '" + wanted + "' in this network namespace. Fix: correct"
                        + " 'interface' in rule '" + rule.name() + "' (ip link lists the interfaces), or bring the"
                        + " interface up before the application connects." + proceeds;
            default:
                return head + "The kernel refused: " + e.getMessage() + "." + proceeds;
        }
    }

    private String eperm(String current, String wanted) {
        String fix = " Fix: grant the JVM CAP_NET_RAW (systemd: AmbientCapabilities=CAP_NET_RAW; Kubernetes:"
                + " securityContext.capabilities.add: [NET_RAW]; Docker: --cap-add NET_RAW), not setcap on the java"
                + " binary";
        if (current.equals(DELETED_INTERFACE)) {
            return "The socket was bound to an interface that has since been deleted (e.g. a VPN interface that"
                    + " was re-created) and binding it again needs CAP_NET_RAW, which this process lacks." + fix
                    + "; or reconnect (new sockets are pinned to the new interface).";
        }
        if (!current.isEmpty()) {
            return "The socket is already bound to '" + current + "' (by an earlier rule, a VRF, systemd"
                    + " BindNetworkInterface= or the application) and changing a binding needs CAP_NET_RAW, which this"
                    + " process lacks." + fix + "; or make the rules for destinations this socket sends to name the"
                    + " same interface ('" + current + "').";
        }
        if (kernel.isOlderThan(5, 7)) {
            return "This kernel (" + kernel + ") is older than 5.7, where every SO_BINDTODEVICE needs CAP_NET_RAW,"
                    + " which this process lacks." + fix + ".";
        }
        return "The socket is not bound yet, so this kernel (" + kernel + ") allows it without CAP_NET_RAW:"
                + " a security policy refused it (a seccomp filter, an LSM such as SELinux or AppArmor, or a cgroup"
                + " BPF program). Fix: allow setsockopt(SOL_SOCKET, SO_BINDTODEVICE) in that policy; CAP_NET_RAW"
                + " does not help against it.";
    }

    private String describe(int fd, Protocol protocol, InetAddress address, int port) {
        return protocol + " socket " + sockets.localAddress(fd) + " -> " + Addresses.format(address, port);
    }
}
