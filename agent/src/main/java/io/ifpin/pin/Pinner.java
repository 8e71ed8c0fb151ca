package io.ifpin.pin;

import io.ifpin.audit.AuditLog;
import io.ifpin.audit.AuditRecord;
import io.ifpin.bridge.PinHook;
import io.ifpin.config.IfpinConfig;
import io.ifpin.log.LogLevel;
import io.ifpin.config.LogSettings;
import io.ifpin.diag.AsyncRouteChecker;
import io.ifpin.link.InterfaceChoice;
import io.ifpin.link.LinkMonitor;
import io.ifpin.log.IfpinLog;
import io.ifpin.metrics.Metrics;
import io.ifpin.metrics.RuleStats;
import io.ifpin.os.Addresses;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import io.ifpin.rules.Action;
import io.ifpin.rules.CallerLookup;
import io.ifpin.rules.HostNames;
import io.ifpin.rules.OnError;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides what happens to one socket and does it: find the first matching rule (or the default rule), then pin,
 * allow or deny; count the decision and hand it to the audit log.
 *
 * <p>Pinning never changes a binding that is already right: since Linux 5.7 an unprivileged process may bind a socket
 * that is not bound yet, but any change of an existing binding (even to the same device) needs {@code CAP_NET_RAW}
 * (net/core/sock.c, {@code sock_bindtoindex_locked}). UDP reads the binding before setting it, so an unconnected
 * socket whose sends all go the same way is pinned once; TCP sets first and reads only when that fails (see
 * {@link #pinTo}).
 *
 * <p>A socket is refused by throwing an ordinary {@link ConnectException} (TCP) or {@link SocketException} (UDP)
 * before the JDK's connect or send system call: for a deny rule, and for a fail-closed rule whose pinning failed.
 * Otherwise a failure is reported once per outage of the rule and cause, and the socket proceeds ("fail-open"); the
 * next pin of the rule that works ends the outage and says so ({@link ErrorReporter#pinWorks}).
 *
 * <p>In {@code ifpin.mode = observe} every decision is made, counted and audited the same way, and then not carried
 * out ({@link #observe}): one branch at the point of action, so the enforcing path is unchanged.
 *
 * <p>The rules, the default rule and their counters are one immutable {@link Policy} behind a volatile field, so a
 * reload swaps them atomically and a socket never sees half of two configs.
 */
public final class Pinner implements PinHook {

    /** What {@link #currentBinding} reports for a socket bound to an interface that no longer exists. */
    static final String DELETED_INTERFACE = "(a deleted interface)";

    private final SocketOptions sockets;
    private final ErrorReporter reporter;
    private final KernelVersion kernel;
    private final AsyncRouteChecker routeChecker;
    private final Metrics metrics;
    private final AuditLog audit;
    private final CallerLookup callers;
    private final LinkMonitor links;
    private final SocketSteerer steerer;
    private volatile Policy policy;

    /** Without route checks, audit or callers (tests). */
    public Pinner(RuleSet rules, SocketOptions sockets, ErrorReporter reporter, KernelVersion kernel) {
        this(new IfpinConfig("(test)", new LogSettings(LogLevel.INFO, Optional.empty()), rules), sockets, reporter,
                kernel, AsyncRouteChecker.DISABLED, new Metrics(), null, CallerLookup.UNKNOWN);
    }

    /**
     * @param routeChecker told about every pinned socket; checks its route on its own thread
     * @param audit        null when there is no audit log
     * @param callers      finds the class that opened a socket, for rules with {@code callers}
     */
    public Pinner(IfpinConfig config, SocketOptions sockets, ErrorReporter reporter, KernelVersion kernel,
                  AsyncRouteChecker routeChecker, Metrics metrics, AuditLog audit, CallerLookup callers) {
        this(config, sockets, reporter, kernel, routeChecker, metrics, audit, callers, LinkMonitor.NONE);
    }

    /** @param links chooses among the interfaces of rules that list several or wait for one */
    public Pinner(IfpinConfig config, SocketOptions sockets, ErrorReporter reporter, KernelVersion kernel,
                  AsyncRouteChecker routeChecker, Metrics metrics, AuditLog audit, CallerLookup callers,
                  LinkMonitor links) {
        this.links = links;
        this.sockets = sockets;
        this.reporter = reporter;
        this.kernel = kernel;
        this.routeChecker = routeChecker;
        this.metrics = metrics;
        this.audit = audit;
        this.callers = callers;
        this.steerer = new SocketSteerer(sockets, reporter);
        this.policy = new Policy(config, metrics, links);
    }

    /** Makes {@code config}'s rules the ones in force for every socket decided from now on. */
    public void apply(IfpinConfig config) {
        policy = new Policy(config, metrics, links);
    }

    @Override
    public void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) throws IOException {
        pin(fd, address, port, Protocol.TCP);
    }

    @Override
    public void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) throws IOException {
        pin(fd, address, port, Protocol.UDP);
    }

    /**
     * Runs the hot path's lookups once on ifpin-init, without a socket, before held sockets are released, so that
     * the classes and call sites it needs are loaded and linked before the application's first connect through it
     * (PendingHook warms its own, smaller path in premain). Loading them on an application thread is slower, and on a virtual thread it can pin the carrier while another virtual thread
     * holds the agent loader's lock (JFR {@code jdk.VirtualThreadPinned}, VirtualThreadsIT).
     */
    public void warmUp() {
        FileDescriptors.intValue(null);
        RuleSet rules = policy.rules();
        for (InetAddress address : new InetAddress[] {InetAddress.getLoopbackAddress(), IPV6_LOOPBACK}) {
            for (Protocol protocol : Protocol.values()) {
                rules.match(address, 1, protocol);
            }
            rules.matchInbound(address, 1);
        }
        try {
            NettyDatagramPackets.recipient(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e); // null is "no destination"
        }
        AsyncRouteChecker.warmUp();
        for (Action action : Action.values()) {
            actionSwitch(action);
        }
    }

    /**
     * Loads the class javac makes for {@link #act}'s switch on an enum ({@code Pinner$1}, its switch map) here on
     * ifpin-init: loaded at a virtual thread's first connect, it would pin the carrier (VirtualThreadsIT).
     */
    private static int actionSwitch(Action action) {
        switch (action) {
            case ALLOW -> {
                return 0;
            }
            case DENY -> {
                return 1;
            }
            default -> {
                return 2;
            }
        }
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
        reportInternalError(failure, "the socket proceeds unpinned");
    }

    private void reportInternalError(Throwable failure, String consequence) {
        reporter.report("internal error " + failure.getClass().getName(), LogLevel.ERROR,
                () -> PinMessages.internalError(failure, consequence));
    }

    /**
     * From a native transport (Netty epoll/io_uring): it serves TCP and UDP alike, so the kernel says which
     * ({@code SO_TYPE}), and only when the destination could be acted on at all: the common case costs no system
     * call. Then the same decision as the JDK's paths.
     */
    @Override
    public void beforeNativeConnectOrSend(int fd, InetAddress address, int port) throws IOException {
        Policy current = policy;
        if (current.defaultRule().action() == Action.ALLOW
                && current.rules().match(address, port, Protocol.TCP, callers) == null
                && current.rules().match(address, port, Protocol.UDP, callers) == null) {
            return;
        }
        Protocol protocol = protocolOf(fd);
        if (protocol != null) {
            decide(fd, address, port, protocol);
        }
    }

    /**
     * Netty epoll flushes several datagrams at once with {@code sendmmsg}; each destination is read from Netty's
     * packet object ({@link NettyDatagramPackets}) and decided as an unconnected send would be. A connected channel's
     * packets carry no destination (decided at connect). The addresses carry no host name, so only {@code cidrs}
     * rules can match them.
     */
    @Override
    public void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) throws IOException {
        Policy current = policy;
        if (current.defaultRule().action() == Action.ALLOW && !current.rules().hasOutbound(Protocol.UDP)) {
            return;
        }
        int end = Math.min(packets.length, offset + count);
        for (int i = Math.max(0, offset); i < end; i++) {
            InetSocketAddress target;
            try {
                target = NettyDatagramPackets.recipient(packets[i]);
            } catch (ReflectiveOperationException | RuntimeException e) {
                String type = packets[i] == null ? "null" : packets[i].getClass().getName();
                reporter.report("netty sendmmsg unreadable " + type, LogLevel.ERROR,
                        () -> PinMessages.unreadableBatch(type, e));
                return;
            }
            if (target != null) {
                decide(fd, target.getAddress(), target.getPort(), Protocol.UDP);
            }
        }
    }

    @Override
    public void beforeListen(FileDescriptor fd) throws IOException {
        pinListener(FileDescriptors.intValue(fd));
    }

    @Override
    public void beforeNativeListen(int fd) throws IOException {
        pinListener(fd);
    }

    void pin(FileDescriptor fd, InetAddress address, int port, Protocol protocol) throws IOException {
        int fdValue = FileDescriptors.intValue(fd);
        if (fdValue < 0) {
            return; // not created yet, or closed concurrently: the JDK reports that itself
        }
        decide(fdValue, address, port, protocol, protocol == Protocol.UDP); // the JDK's paths
    }

    /** The decision for socket {@code fd} of a native transport; throws to refuse it. */
    void decide(int fd, InetAddress address, int port, Protocol protocol) throws IOException {
        decide(fd, address, port, protocol, false);
    }

    /** @param jdkUdp a datagram socket of the JDK's, which ifpin never binds to a source ({@link SocketSteerer}) */
    private void decide(int fd, InetAddress address, int port, Protocol protocol, boolean jdkUdp)
            throws IOException {
        Policy current = policy;
        Rule rule = current.defaultRule();
        try {
            Rule matched = current.rules().match(address, port, protocol, callers);
            if (matched != null) {
                rule = matched;
            }
            act(current, rule, fd, address, port, protocol, jdkUdp);
        } catch (IOException refused) {
            throw refused;
        } catch (RuntimeException | Error failure) {
            // A bug in ifpin (or no memory): fail-closed rules must still not let the socket out (in observe
            // mode nothing is refused, and the audit says what would have been).
            boolean refuse = rule.onError() == OnError.FAIL_CLOSED;
            current.stats(rule).error("internal", refuse && !current.observe);
            audit(rule, fd, protocol, address, port, !refuse ? "error" : current.observe ? "would-refuse"
                    : "refused", "internal");
            if (refuse && !current.observe) {
                reportInternalError(failure, "the socket is refused (rule '" + rule.name() + "' is fail-closed)");
                throw PinMessages.refusal(protocol, rule, "on-error = fail-closed, internal error " + failure, address,
                        port);
            }
            throw failure;
        }
    }

    private void act(Policy current, Rule rule, int fd, InetAddress address, int port, Protocol protocol,
                     boolean jdkUdp) throws IOException {
        if (current.observe) {
            observe(current, rule, fd, address, port, protocol);
            return;
        }
        switch (rule.action()) {
            case ALLOW -> {
                current.stats(rule).allowed();
                audit(rule, fd, protocol, address, port, "allowed", null);
            }
            case DENY -> {
                current.stats(rule).denied();
                audit(rule, fd, protocol, address, port, "denied", null);
                reporter.report("rule '" + rule.name() + "' denied", LogLevel.INFO,
                        () -> PinMessages.denied(rule, describe(fd, protocol, address, port)));
                throw PinMessages.refusal(protocol, rule, "action = deny", address, port);
            }
            case PIN -> pinTo(current, rule, fd, address, port, protocol, jdkUdp);
        }
    }

    /**
     * {@code ifpin.mode = observe}: the decision is counted, logged and audited as what would have happened
     * ({@code would-pin}, {@code would-deny}, {@code would-allow}), and the socket is not touched: no system call,
     * no refusal. Whether a pin would have failed is not known without trying it; the startup self-test line says
     * whether pinning to each interface works (docs/configuration.md, "Observe mode").
     */
    private void observe(Policy current, Rule rule, int fd, InetAddress address, int port, Protocol protocol) {
        RuleStats stats = current.stats(rule);
        switch (rule.action()) {
            case ALLOW -> stats.allowed();
            case DENY -> stats.denied();
            case PIN -> stats.pinned();
        }
        String outcome = "would-" + rule.action().label();
        String wanted = rule.interfaceName();
        if (rule.followsLinks()) { // where it would go now, without waiting: observe mode holds no socket
            InterfaceChoice choice = current.choice(rule);
            int via = choice.inUse();
            wanted = via >= 0 ? choice.name(via) : via == InterfaceChoice.UNKNOWN ? wanted : null;
        }
        audit(rule, fd, protocol, address, port, outcome, null, wanted);
        String target = wanted != null ? "'" + wanted + "'" : "none of " + rule.interfaces() + " (none is up)";
        if (rule.action() != Action.ALLOW) {
            reporter.report("rule '" + rule.name() + "' " + outcome, LogLevel.INFO,
                    () -> PinMessages.observed(rule, describe(fd, protocol, address, port), target));
        }
    }

    /**
     * Pins with as few system calls as the protocol allows. A socket about to connect is almost never bound yet, so
     * TCP sets first and reads the binding only when that fails; the outcome is the same as reading first (an
     * already-bound socket fails with EPERM without CAP_NET_RAW, and then the read tells whether it is bound to the
     * wanted interface), with one system call instead of two on the common path (docs/dev/performance.md). UDP reads
     * first: its sends repeat on one socket, which is then pinned already.
     */
    private void pinTo(Policy active, Rule rule, int fd, InetAddress address, int port, Protocol protocol,
                       boolean jdkUdp) throws IOException {
        String wanted = rule.interfaceName();
        InterfaceChoice choice = null;
        int via = 0;
        if (rule.followsLinks()) { // a final field: rules with one interface and no wait pay this test only
            choice = active.choice(rule);
            via = choice.inUse();
            if (via < 0) {
                via = InterfaceChoices.awaitUsable(choice, rule);
                if (via == InterfaceChoice.NONE) {
                    noInterfaceInTime(active, rule, choice, fd, address, port, protocol);
                    return;
                }
            }
            wanted = choice.name(via);
        }
        if (wanted == null) { // a source address and/or a mark only
            if (steered(active, rule, fd, address, port, protocol, jdkUdp)) {
                pinned(active.stats(rule), rule, null);
                audit(rule, fd, protocol, address, port, "pinned", null);
                if (rule.mark() != null) {
                    routeChecker.maybeCheck(rule, null, address); // does the mark's ip rule catch it?
                }
            }
            return;
        }
        String current = null; // not read yet
        if (protocol == Protocol.UDP) {
            current = currentBinding(fd);
            if (wanted.equals(current)) {
                if (!rule.steers() || steered(active, rule, fd, address, port, protocol, jdkUdp)) {
                    alreadyPinned(active, rule, fd, address, port, protocol, wanted, choice, via);
                }
                return;
            }
        }
        try {
            sockets.bindToDevice(fd, wanted);
        } catch (ErrnoException e) {
            if (current == null) {
                current = currentBinding(fd);
                if (wanted.equals(current)) {
                    if (!rule.steers() || steered(active, rule, fd, address, port, protocol, jdkUdp)) {
                        alreadyPinned(active, rule, fd, address, port, protocol, wanted, choice, via);
                    }
                    return;
                }
            }
            boolean refuse = rule.onError() == OnError.FAIL_CLOSED;
            RuleStats stats = active.stats(rule);
            stats.error(e.errnoName(), refuse);
            audit(rule, fd, protocol, address, port, refuse ? "refused" : "error", e.errnoName(), wanted);
            String binding = current;
            String tried = wanted;
            reportFailure(stats, rule, tried, e, () -> PinMessages.explain(rule, tried,
                    describe(fd, protocol, address, port), binding, e, kernel));
            if (refuse) {
                throw PinMessages.refusal(protocol, rule, "on-error = fail-closed, cannot pin to '" + wanted + "': "
                        + e.errnoName(), address, port);
            }
            return;
        }
        if (rule.steers() && !steered(active, rule, fd, address, port, protocol, jdkUdp)) {
            return;
        }
        if (choice != null) {
            choice.pinnedVia(via);
        }
        pinned(active.stats(rule), rule, wanted);
        audit(rule, fd, protocol, address, port, "pinned", null, wanted);
        routeChecker.maybeCheck(rule, wanted, address);
        if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
            IfpinLog.debug("rule '" + rule.name() + "': pinned " + describe(fd, protocol, address, port)
                    + " to '" + wanted + "'");
        }
    }

    private void alreadyPinned(Policy active, Rule rule, int fd, InetAddress address, int port, Protocol protocol,
                               String wanted, InterfaceChoice choice, int via) {
        if (choice != null) {
            choice.pinnedVia(via);
        }
        pinned(active.stats(rule), rule, wanted);
        audit(rule, fd, protocol, address, port, "already-pinned", null, wanted);
        routeChecker.maybeCheck(rule, wanted, address);
    }

    /**
     * A rule with {@code wait-for-interface} waited and none of its interfaces came up: its on-error decides, as for
     * a pin that failed (reported once per outage, ended by the next pin that works).
     */
    private void noInterfaceInTime(Policy active, Rule rule, InterfaceChoice choice, int fd, InetAddress address,
                                   int port, Protocol protocol) throws IOException {
        boolean refuse = rule.onError() == OnError.FAIL_CLOSED;
        RuleStats stats = active.stats(rule);
        stats.error(InterfaceChoices.NO_INTERFACE, refuse);
        audit(rule, fd, protocol, address, port, refuse ? "refused" : "error", InterfaceChoices.NO_INTERFACE, null);
        String waited = InterfaceChoices.waited(rule);
        reporter.pinFailed(stats.outages(), "rule '" + rule.name() + "': " + InterfaceChoices.NO_INTERFACE,
                InterfaceChoices.NO_INTERFACE, String.join("' or '", rule.interfaces()), LogLevel.ERROR,
                () -> InterfaceChoices.gaveUp(rule, choice, describe(fd, protocol, address, port)));
        if (refuse) {
            throw PinMessages.refusal(protocol, rule, "on-error = fail-closed, " + waited + ", none came up", address,
                    port);
        }
    }

    /**
     * The rule's mark and source ({@link SocketSteerer}); true when they are set. A failure is counted, audited and
     * reported as a failed pin is (once per outage of the rule and cause), and refuses the socket under
     * {@code on-error = fail-closed}; false then means the socket proceeds (fail-open).
     */
    private boolean steered(Policy active, Rule rule, int fd, InetAddress address, int port, Protocol protocol,
                            boolean jdkUdp) throws IOException {
        SocketSteerer.Failure failure = steerer.steer(rule, fd, address, protocol, jdkUdp);
        if (failure == null) {
            return true;
        }
        ErrnoException e = failure.error();
        boolean refuse = rule.onError() == OnError.FAIL_CLOSED;
        RuleStats stats = active.stats(rule);
        stats.error(e.errnoName(), refuse);
        audit(rule, fd, protocol, address, port, refuse ? "refused" : "error", e.errnoName());
        String socket = describe(fd, protocol, address, port);
        Supplier<String> explanation = () -> SocketSteerer.explain(rule, socket, failure, address);
        String key = SocketSteerer.key(rule, failure);
        if (e.errno() == Errno.EBADF) {
            reporter.report(key, LogLevel.DEBUG, explanation);
        } else {
            reporter.pinFailed(stats.outages(), key, e.errnoName(), rule.target(), LogLevel.ERROR, explanation);
        }
        if (refuse) {
            throw PinMessages.refusal(protocol, rule, "on-error = fail-closed, cannot set "
                    + SocketSteerer.what(rule, failure) + ": " + e.errnoName(), address, port);
        }
        return false;
    }

    private void audit(Rule rule, int fd, Protocol protocol, InetAddress address, int port, String result,
                       String errno) {
        audit(rule, fd, protocol, address, port, result, errno, rule.interfaceName());
    }

    /** @param iface the interface actually used (one of a list), null when none was */
    private void audit(Rule rule, int fd, Protocol protocol, InetAddress address, int port, String result,
                       String errno, String iface) {
        if (audit == null) {
            return;
        }
        audit.record(new AuditRecord(System.currentTimeMillis(), rule.name(), rule.action().label(),
                protocol.label(), sockets.localAddress(fd), Addresses.format(address, port),
                HostNames.requestedName(address), iface, result, errno, sourceFor(rule, address),
                rule.mark() == null ? null : rule.mark().value()));
    }

    /** The audit's {@code source}: the rule's address of the destination's family, or null. */
    private static String sourceFor(Rule rule, InetAddress destination) {
        if (rule.source() == null) {
            return null;
        }
        InetAddress source = rule.source().forDestination(destination instanceof java.net.Inet4Address);
        return source == null ? null : Addresses.text(source);
    }

    /**
     * A listening socket, bound and about to listen: the first inbound rule for its local address and port binds it,
     * so it only accepts connections that arrive on that interface (the kernel's listener lookup skips a socket
     * bound to another device). The same read-before-set, error reports, counters and audit lines as outbound
     * sockets; a fail-closed rule whose pin fails refuses the listen, so the service never listens everywhere.
     */
    void pinListener(int fd) throws IOException {
        Policy active = policy;
        RuleSet rules = active.rules();
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
        String listener = Addresses.format(local.getAddress(), local.getPort());
        if (active.observe) {
            active.stats(rule).pinned(); // inbound rules only pin (ConfigReader)
            auditListener(rule, listener, "would-pin", null);
            return;
        }
        String wanted = rule.interfaceName();
        String current = currentBinding(fd);
        if (wanted.equals(current)) {
            pinned(active.stats(rule), rule, wanted);
            auditListener(rule, listener, "already-pinned", null);
            return;
        }
        try {
            sockets.bindToDevice(fd, wanted);
        } catch (ErrnoException e) {
            boolean refuse = rule.onError() == OnError.FAIL_CLOSED;
            RuleStats stats = active.stats(rule);
            stats.error(e.errnoName(), refuse);
            auditListener(rule, listener, refuse ? "refused" : "error", e.errnoName());
            reportFailure(stats, rule, wanted, e,
                    () -> PinMessages.explain(rule, wanted, "listener " + listener, current, e, kernel));
            if (refuse) {
                throw PinMessages.listenRefusal(listener, rule, wanted, e);
            }
            return;
        }
        pinned(active.stats(rule), rule, wanted);
        auditListener(rule, listener, "pinned", null);
        if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
            IfpinLog.debug("rule '" + rule.name() + "': pinned listener " + listener + " to '" + wanted + "'");
        }
    }

    /** A listener's line: its own address as {@code local}, no remote end. */
    private void auditListener(Rule rule, String listener, String result, String errno) {
        if (audit != null) {
            audit.record(new AuditRecord(System.currentTimeMillis(), rule.name(), rule.action().label(),
                    Protocol.TCP.label(), listener, null, null, rule.interfaceName(), result, errno));
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

    /**
     * Once per outage of the rule and errno (ErrorReporter). EBADF is the application closing the socket while it
     * connects: not an outage, logged at debug once.
     */
    private void reportFailure(RuleStats stats, Rule rule, String iface, ErrnoException e,
                               Supplier<String> explanation) {
        String key = "rule '" + rule.name() + "': " + e.errnoName() + " pinning to '" + iface + "'";
        if (e.errno() == Errno.EBADF) {
            reporter.report(key, LogLevel.DEBUG, explanation);
        } else {
            reporter.pinFailed(stats.outages(), key, e.errnoName(), iface, LogLevel.ERROR, explanation);
        }
    }

    /**
     * {@code count} sockets that {@link EarlyPins} pinned by {@code rule} before this hook was ready: counted as
     * this hook's own pins are, and the route to {@code destination} checked as at a pin.
     */
    void earlyPins(Rule rule, long count, InetAddress destination) {
        Policy current = policy;
        current.stats(rule).pinned(count);
        if (destination != null) {
            routeChecker.maybeCheck(rule, rule.interfaceName(), destination);
        }
    }

    /** Counts a pin that worked; ends the rule's outage if one is open (a volatile read when none is). */
    private void pinned(RuleStats stats, Rule rule, String iface) {
        stats.pinned();
        if (stats.outages().open()) {
            reporter.pinWorks(stats.outages(), rule.name(), iface != null ? iface : rule.target());
        }
    }

    private String describe(int fd, Protocol protocol, InetAddress address, int port) {
        return protocol + " socket " + sockets.localAddress(fd) + " -> " + Addresses.format(address, port);
    }
}
