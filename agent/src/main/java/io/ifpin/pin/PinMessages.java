package io.ifpin.pin;

import io.ifpin.os.Addresses;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.rules.Action;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * What {@link Pinner} says, apart from what it decides: the operator's lines (why a pin failed and the fix, a denial,
 * an observe-mode decision, an internal error) and the exception the application sees when a socket is refused.
 * Each is built only when it is written: the log lines inside the reporter's suppliers, the exceptions when thrown.
 * docs/troubleshooting.md indexes these lines; PinnerTest holds them to it.
 */
final class PinMessages {

    private PinMessages() {
    }

    /**
     * The exception the application sees: ConnectException for TCP (as for a refused connection), SocketException
     * for UDP; the message names ifpin, the rule and why.
     */
    static SocketException refusal(Protocol protocol, Rule rule, String why, InetAddress address, int port) {
        String message = "ifpin refused " + protocol + " to " + Addresses.format(address, port) + ": rule '"
                + rule.name() + "' (" + rule.origin() + "), " + why;
        return protocol == Protocol.TCP ? new ConnectException(message) : new SocketException(message);
    }

    /** A fail-closed inbound rule that could not pin its listener: the application's {@code listen} fails. */
    static SocketException listenRefusal(String listener, Rule rule, String wanted, ErrnoException e) {
        return new SocketException("ifpin refused to listen on " + listener + ": rule '" + rule.name() + "' ("
                + rule.origin() + "), on-error = fail-closed, cannot pin to '" + wanted + "': " + e.errnoName());
    }

    /** The operator's one line: which rule, which socket, what the kernel said, why, and the fix. */
    static String explain(Rule rule, String wanted, String socket, String current, ErrnoException e,
                          KernelVersion kernel) {
        String head = "rule '" + rule.name() + "' (" + rule.origin() + "): cannot pin " + socket + " to interface '"
                + wanted + "': " + e.errnoName() + ". ";
        String proceeds;
        if (rule.onError() == OnError.FAIL_CLOSED) {
            proceeds = " The socket is refused (on-error = fail-closed).";
        } else if (current.isEmpty()) {
            proceeds = " The socket proceeds unpinned (fail-open).";
        } else if (current.equals(Pinner.DELETED_INTERFACE)) {
            proceeds = " The socket stays bound to the deleted interface, so its traffic fails with ENODEV.";
        } else {
            proceeds = " The socket proceeds bound to '" + current + "' (fail-open).";
        }
        switch (e.errno()) {
            case Errno.EPERM:
                return head + eperm(current, kernel) + proceeds;
            case Errno.ENODEV:
                return head + "There is no interface '" + wanted + "' in this network namespace. Fix: correct"
                        + " 'interface' in rule '" + rule.name() + "' (ip link lists the interfaces), or bring the"
                        + " interface up before the application connects." + proceeds;
            case Errno.ENOSYS:
                return head + "ifpin could not load its native access at startup (see the ERROR 'cannot call"
                        + " SO_BINDTODEVICE' above), so it cannot bind sockets." + proceeds;
            default:
                return head + "The kernel refused: " + e.getMessage() + "." + proceeds;
        }
    }

    private static String eperm(String current, KernelVersion kernel) {
        String fix = " Fix: grant the JVM CAP_NET_RAW (systemd: AmbientCapabilities=CAP_NET_RAW; Kubernetes:"
                + " securityContext.capabilities.add: [NET_RAW]; Docker: --cap-add NET_RAW), not setcap on the java"
                + " binary";
        if (current.equals(Pinner.DELETED_INTERFACE)) {
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

    /** An ifpin bug (or no memory) while deciding a socket, with its trace. */
    static String internalError(Throwable failure, String consequence) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return "internal error while pinning a socket; " + consequence + ". Please report this with the trace: "
                + trace;
    }

    static String denied(Rule rule, String socket) {
        return "rule '" + rule.name() + "' (" + rule.origin() + ") denied " + socket;
    }

    /**
     * {@code ifpin.mode = observe}: what a deny or pin rule would have done.
     *
     * @param target where a rule with a list of interfaces would pin now ({@code 'c0'}, or none is up)
     */
    static String observed(Rule rule, String socket, String target) {
        return "observe mode: rule '" + rule.name() + "' (" + rule.origin() + ") would "
                + (rule.action() == Action.DENY ? "deny " : "pin ") + socket
                + (rule.action() == Action.PIN ? " to " + (rule.steers() || rule.interfaces().isEmpty()
                        ? "'" + rule.target() + "'" : target) : "")
                + "; the socket proceeds untouched";
    }

    /** Netty's datagram packet of another shape than {@link NettyDatagramPackets} knows. */
    static String unreadableBatch(String type, Exception e) {
        return "not covered: Netty epoll datagram batches (sendmmsg): cannot read the destination from " + type + " ("
                + e + "), so datagrams Netty sends in batches are NOT pinned. Fix: connect() the channel to its"
                + " destination, or report this with your Netty version.";
    }
}
