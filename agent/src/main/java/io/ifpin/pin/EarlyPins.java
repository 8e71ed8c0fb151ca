package io.ifpin.pin;

import io.ifpin.config.IfpinConfig;
import io.ifpin.log.IfpinLog;
import io.ifpin.log.LogLevel;
import io.ifpin.os.Addresses;
import io.ifpin.rules.Action;
import io.ifpin.rules.Rule;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Pins a TCP socket that {@link PendingHook} would hold, while ifpin's native side is still loading, with the JDK's
 * own {@code setsockopt}: {@code sun.nio.ch.Net.setIntOption0(fd, SOL_SOCKET, SO_BINDTOIFINDEX, index)}, which
 * needs no native access of ifpin's (docs/dev/architecture.md, "Startup order"). The kernel stores the same bound
 * interface as {@code SO_BINDTODEVICE}; the index is looked up by name for each socket, so a re-created interface is
 * found as the real hook would find it.
 *
 * <p>Only where the result is exactly what the real hook would do and nothing it would record is lost: a rule that
 * pins to one interface, with no list, wait, source or mark; TCP through the JDK's sockets; no audit log, observe
 * mode or {@code callers}. Anything else, and any failure (a missing interface, a kernel before 5.0 without
 * {@code SO_BINDTOIFINDEX}, a socket bound already), waits for the real hook as before, which then decides and
 * reports as usual; after the first failure of the call itself, every socket waits.
 *
 * <p>What the real hook would have counted is handed to it when it is ready ({@link #handOver}): the pins per rule
 * for the MBean, and one destination per rule for the route check.
 */
final class EarlyPins {

    private static final int SOL_SOCKET = 1;
    /** {@code SO_BINDTOIFINDEX}, Linux 5.0+: {@code SO_BINDTODEVICE} by interface index, an int option. */
    private static final int SO_BINDTOIFINDEX = 62;

    private final MethodHandle setIntOption;
    private final List<Rule> rules;
    private final AtomicLongArray pinned;
    private final AtomicReferenceArray<InetAddress> firstDestination;
    /** Early pins under way: {@link #handOver} waits for them, so that none is counted after it. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean open = true;

    EarlyPins(MethodHandle setIntOption, List<Rule> rules) { // the handle: a stub in tests
        this.setIntOption = setIntOption;
        this.rules = rules;
        this.pinned = new AtomicLongArray(rules.size());
        this.firstDestination = new AtomicReferenceArray<>(rules.size());
    }

    /**
     * Early pins for {@code config}, or null when none may be made: the config audits, observes or asks callers
     * (those the real hook must see), no rule qualifies, or the JDK's method is not there. Makes the method handle
     * and loads {@link NetworkInterface} here, on ifpin's thread: on the application's first connects, thousands of
     * virtual threads would wait for that class initialisation with their carriers pinned.
     */
    static EarlyPins prepare(IfpinConfig config) {
        if (!possible(config)) {
            return null;
        }
        try {
            Class<?> net = Class.forName("sun.nio.ch.Net");
            MethodHandle handle = MethodHandles.privateLookupIn(net, MethodHandles.lookup()).findStatic(net,
                    "setIntOption0", MethodType.methodType(void.class, FileDescriptor.class, boolean.class, int.class,
                            int.class, int.class, boolean.class));
            NetworkInterface.getByName("lo"); // its class and the JDK's native part, initialised here
            EarlyPins early = new EarlyPins(handle, config.rules().rules());
            early.linkCall();
            return early;
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException | LinkageError e) {
            IfpinLog.debug("sockets are held until native access is ready (no early pin through the JDK: " + e + ")");
            return null;
        }
    }

    /** Whether any socket could be pinned early under {@code config}: see the class comment. */
    static boolean possible(IfpinConfig config) {
        if (config.observing() || config.audit().enabled() || config.rules().hasCallers()
                || config.defaultRule().action() != Action.ALLOW) {
            return false;
        }
        for (Rule rule : config.rules().rules()) {
            if (qualifies(rule)) {
                return true;
            }
        }
        return false;
    }

    /** A rule whose pin the JDK's own call does exactly: one interface, nothing else. */
    static boolean qualifies(Rule rule) {
        return rule.action() == Action.PIN && rule.interfaceName() != null && !rule.followsLinks() && !rule.steers();
    }

    /**
     * Pins {@code fd} as {@code rule} says and returns true, or returns false, having changed nothing, when the socket
     * must wait for the real hook.
     */
    boolean pin(FileDescriptor fd, Rule rule, InetAddress destination, int port) {
        int index = rule.index();
        if (!open || !qualifies(rule) || index < 0 || index >= rules.size() || rules.get(index) != rule) {
            return false;
        }
        inFlight.incrementAndGet();
        try {
            if (!open) {
                return false;
            }
            NetworkInterface device = NetworkInterface.getByName(rule.interfaceName());
            if (device == null) {
                return false; // the real hook says what is missing, and applies on-error
            }
            bindToIndex(fd, device.getIndex());
            pinned.incrementAndGet(index);
            firstDestination.compareAndSet(index, null, destination);
            if (IfpinLog.isEnabled(LogLevel.DEBUG)) { // the real hook's line; the local address is not known yet
                IfpinLog.debug("rule '" + rule.name() + "': pinned TCP socket (early) -> "
                        + Addresses.format(destination, port) + " to '" + rule.interfaceName() + "'");
            }
            return true;
        } catch (Throwable e) { // IOException from the call (errno), or anything else: the real hook decides
            open = false;
            IfpinLog.debug("early pin of a socket to '" + rule.interfaceName() + "' failed (" + e + "); sockets"
                    + " wait for native access from now on");
            return false;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The one call site of the handle, so that {@link #linkCall} links it here and not on a virtual thread. */
    private void bindToIndex(FileDescriptor fd, int interfaceIndex) throws Throwable {
        setIntOption.invokeExact(fd, false, SOL_SOCKET, SO_BINDTOIFINDEX, interfaceIndex, false);
    }

    /** Calls the JDK's method once on no socket (fd -1): it must fail with EBADF, and the call site is linked. */
    private void linkCall() throws java.io.IOException {
        try {
            bindToIndex(new FileDescriptor(), 1);
        } catch (java.io.IOException expected) {
            return;
        } catch (Throwable e) {
            throw new java.io.IOException("setIntOption0 on no socket: " + e, e);
        }
        throw new java.io.IOException("setIntOption0 on no socket did not fail");
    }

    /**
     * Ends early pinning and gives {@code pinner} what it would have recorded. Waits for early pins under way (each
     * is one lookup and one system call), at most about a second, so that none is left uncounted.
     */
    void handOver(Pinner pinner) {
        open = false;
        for (int i = 0; i < 1000 && inFlight.get() > 0; i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long total = 0;
        for (int i = 0; i < rules.size(); i++) {
            long count = pinned.get(i);
            if (count > 0) {
                total += count;
                pinner.earlyPins(rules.get(i), count, firstDestination.get(i));
            }
        }
        if (total > 0) {
            IfpinLog.debug(total + " socket(s) pinned through the JDK (SO_BINDTOIFINDEX) before native access was"
                    + " ready");
        }
    }
}
