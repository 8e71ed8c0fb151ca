package io.ifpin.pin;

import io.ifpin.log.LogLevel;
import io.ifpin.log.IfpinLog;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.SocketMark;
import io.ifpin.rules.SourceAddress;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Gives a socket its rule's firewall mark ({@code SO_MARK}) and source address ({@code bind} to the address with port
 * 0), in the same hook and before the same connect or send as {@code SO_BINDTODEVICE} (docs/dev/steering.md).
 * Allocates nothing when both work: the option and address bytes are the rule's
 * ({@link SocketMark#optionBytes}, {@link SourceAddress#sockaddrFor}).
 *
 * <ul>
 *   <li>Mark: TCP sets it (a socket about to connect has none); UDP reads it first, since its sends repeat on one
 *       socket. Setting needs CAP_NET_ADMIN (net/core/sock.c; Linux 5.17 and later accept CAP_NET_RAW too).</li>
 *   <li>Source: only a socket that has neither a local address nor a port yet is bound; one the application bound
 *       keeps its binding (a DEBUG line says so). TCP sets {@code IP_BIND_ADDRESS_NO_PORT} first, so the port is
 *       chosen at connect by the whole 4-tuple and thousands of connects do not use up the ephemeral ports.</li>
 *   <li>The JDK's own UDP sockets are not bound to a source: the JDK binds every datagram socket to the wildcard
 *       address itself ({@code DatagramSocket} when it is created, {@code DatagramChannel} right after the connect
 *       hook and before a send), and a second bind fails, so a bind by ifpin would break the application's connect.
 *       Their mark and interface are set as usual; Netty's UDP channels get the source.</li>
 * </ul>
 */
final class SocketSteerer {

    /** What failed: which of the two, and the kernel's answer. */
    record Failure(String what, ErrnoException error) {
    }

    private final SocketOptions sockets;
    private final ErrorReporter reporter;

    SocketSteerer(SocketOptions sockets, ErrorReporter reporter) {
        this.sockets = sockets;
        this.reporter = reporter;
    }

    /**
     * @param jdkUdp a datagram socket of the JDK's own (see the class comment): never bound here
     * @return null when the socket has the rule's mark and source (or keeps its own binding); else what failed
     */
    Failure steer(Rule rule, int fd, InetAddress destination, Protocol protocol, boolean jdkUdp) {
        SocketMark mark = rule.mark();
        if (mark != null) {
            try {
                if (protocol == Protocol.TCP || sockets.mark(fd) != mark.asInt()) {
                    sockets.setMark(fd, mark.optionBytes());
                }
            } catch (ErrnoException e) {
                return new Failure("mark", e);
            }
        }
        SourceAddress source = rule.source();
        if (source == null) {
            return null;
        }
        if (jdkUdp) {
            reporter.report("rule '" + rule.name() + "': source on JDK UDP", LogLevel.INFO, () -> "rule '"
                    + rule.name() + "' (" + rule.origin() + "): its source " + source + " is not bound to the JDK's"
                    + " UDP sockets (DatagramSocket, DatagramChannel): the JDK binds them to the wildcard address"
                    + " itself before they connect or send, and a socket binds once. Their datagrams leave with the"
                    + " source the route gives" + (rule.interfaceName() != null || rule.mark() != null
                    ? " (by the rule's " + (rule.interfaceName() != null ? "interface" : "mark") + ")" : "")
                    + ". Fix: bind the DatagramSocket to " + source + " in the application, or give the route a"
                    + " preferred source (ip route ... src " + firstAddress(source) + ").");
            return null;
        }
        int local;
        try {
            local = sockets.localFamily(fd);
        } catch (ErrnoException e) {
            return new Failure("source", e);
        }
        if ((local & SocketOptions.LOCAL_BOUND) != 0) {
            if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
                IfpinLog.debug("rule '" + rule.name() + "': " + protocol + " socket " + sockets.localAddress(fd)
                        + " was bound by the application, so it keeps that binding, not source " + source);
            }
            return null;
        }
        boolean ipv4Destination = destination instanceof Inet4Address;
        byte[] sockaddr = source.sockaddrFor(local & 0xffff, ipv4Destination);
        if (sockaddr == null) {
            reporter.report("rule '" + rule.name() + "': no " + (ipv4Destination ? "IPv4" : "IPv6") + " source",
                    LogLevel.INFO, () -> "rule '" + rule.name() + "' (" + rule.origin() + "): its source " + source
                            + " has no " + (ipv4Destination ? "IPv4" : "IPv6") + " address, so its "
                            + (ipv4Destination ? "IPv4" : "IPv6") + " sockets leave with the source the route gives."
                            + " Fix: add one, e.g. source = [\"203.0.113.7\", \"2001:db8::7\"], if they need it.");
            return null;
        }
        try {
            sockets.bindSource(fd, sockaddr, protocol == Protocol.TCP);
        } catch (ErrnoException e) {
            return new Failure("source", e);
        }
        return null;
    }

    /** The report's key: one per rule, part and cause (ErrorReporter). */
    static String key(Rule rule, Failure failure) {
        return "rule '" + rule.name() + "': " + failure.error().errnoName() + " setting " + what(rule, failure);
    }

    /** {@code mark 16 (0x10)} or {@code source 203.0.113.7}. */
    static String what(Rule rule, Failure failure) {
        return failure.what().equals("mark") ? "mark " + rule.mark() : "source " + rule.source();
    }

    /** The operator's line: which rule, which socket, what the kernel said, why, the fix, and what happens now. */
    static String explain(Rule rule, String socket, Failure failure, InetAddress destination) {
        ErrnoException e = failure.error();
        String head = "rule '" + rule.name() + "' (" + rule.origin() + "): cannot set " + what(rule, failure) + " on "
                + socket + ": " + e.errnoName() + ". ";
        String proceeds = rule.onError() == OnError.FAIL_CLOSED ? " The socket is refused (on-error = fail-closed)."
                : failure.what().equals("mark") ? " The socket proceeds without the mark (fail-open)."
                : " The socket proceeds with the source address the route gives (fail-open).";
        if (failure.what().equals("mark") && e.errno() == Errno.EPERM) {
            return head + "Setting a socket's mark needs CAP_NET_ADMIN (Linux 5.17 and later also accept CAP_NET_RAW),"
                    + " which this process lacks. Fix: grant the JVM CAP_NET_ADMIN (systemd:"
                    + " AmbientCapabilities=CAP_NET_ADMIN; Kubernetes: securityContext.capabilities.add:"
                    + " [\"NET_ADMIN\"]; Docker: --cap-add NET_ADMIN), not setcap on the java binary; or steer these"
                    + " sockets with interface or source, which need no capability." + proceeds;
        }
        if (failure.what().equals("source") && e.errno() == Errno.EADDRNOTAVAIL) {
            InetAddress address = rule.source().forDestination(destination instanceof Inet4Address);
            String text = address == null ? rule.source().toString() : io.ifpin.os.Addresses.text(address);
            boolean ipv6 = address != null && !(address instanceof Inet4Address);
            return head + text + " is not an address of this host (in this network namespace)"
                    + (ipv6 ? ", or it is still tentative (IPv6 duplicate address detection)" : "") + ". Fix: add it to"
                    + " an interface (ip addr add " + text + (ipv6 ? "/128" : "/32") + " dev <interface>), or correct"
                    + " source in rule '" + rule.name() + "' (ip -br addr lists this host's addresses); a floating"
                    + " address that arrives later needs net." + (ipv6 ? "ipv6" : "ipv4") + ".ip_nonlocal_bind = 1."
                    + proceeds;
        }
        if (e.errno() == Errno.ENOSYS) {
            return head + "ifpin could not load its native access at startup (see the ERROR 'cannot call"
                    + " SO_BINDTODEVICE' above)." + proceeds;
        }
        return head + "The kernel refused: " + e.getMessage() + "." + proceeds;
    }

    private static String firstAddress(SourceAddress source) {
        return io.ifpin.os.Addresses.text(source.addresses().get(0));
    }
}
