package io.ifpin.pin;

import io.ifpin.bridge.PinHook;
import io.ifpin.config.IfpinConfig;
import io.ifpin.log.IfpinLog;
import io.ifpin.rules.Action;
import io.ifpin.rules.Protocol;
import io.ifpin.rules.Rule;
import io.ifpin.rules.RuleSet;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bridge's hook from premain until ifpin's native side (JNA, netlink: 100 to 200 ms of a cold JVM) is ready on
 * the {@code ifpin-init} thread, so that the application's {@code main} need not wait for it.
 *
 * <p>No socket escapes in that window: a socket that no rule matches proceeds at once when {@code default-action} is
 * allow (it would not be touched anyway); every other socket waits until the real hook is ready, then is decided by
 * it. That includes all sockets when a rule has {@code callers} (which rule applies depends on the caller, found by
 * the real hook) or {@code default-action} is deny or pin. The wait is
 * bounded by {@link #WAIT_MILLIS}; past it (a JNA library that takes that long to unpack, or a class-initialisation
 * deadlock between the application's thread and ifpin's), the socket proceeds unpinned and one ERROR line says so.
 * When native access cannot be loaded at all, the waiting sockets proceed unpinned after the ERROR that says
 * sockets are not pinned.
 *
 * <p>The JVM's exit never waits for ifpin: a socket still held when the JVM exits stays held (it never leaves,
 * so never wider than the policy), and {@link #reportHeldAtExit} says so in one line.
 */
public final class PendingHook implements PinHook {

    static final long WAIT_MILLIS = 10_000;

    private final RuleSet rules;
    /** Every socket waits: the default rule may act on it, or a rule with callers may match it. */
    private final boolean holdEverySocket;
    private final long waitMillis;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicBoolean timeoutReported = new AtomicBoolean();
    /** Sockets waiting in {@link #await} now. */
    private final AtomicInteger held = new AtomicInteger();
    /** Set before {@link #ready} opens; null when native access failed. */
    private volatile PinHook hook;
    /** Set by ifpin-init when sockets may be pinned through the JDK before native access is ready; else null. */
    private volatile EarlyPins early;
    /** The config lets some sockets be pinned early; they wait for {@link #earlyDecided}, not for the real hook. */
    private final boolean earlyPossible;
    private final CountDownLatch earlyDecided = new CountDownLatch(1);

    public PendingHook(IfpinConfig config) {
        this(config, WAIT_MILLIS);
    }

    PendingHook(IfpinConfig config, long waitMillis) {
        this.rules = config.rules();
        // In observe mode with an audit log every socket waits too, although none will be refused: the audit of
        // the sockets a starting application opens is what a learned allow-list is made from (docs/deployment.md).
        this.holdEverySocket = config.defaultRule().action() != Action.ALLOW
                || config.rules().hasCallers() || config.observing() && config.audit().enabled();
        this.waitMillis = waitMillis;
        this.earlyPossible = EarlyPins.possible(config);
        // Before it can be installed: the application's first connects must not be the ones that initialise the
        // match's classes, or thousands of virtual threads starting at once wait for the first with their carriers
        // pinned (VirtualThreadsIT).
        rules.warmUp();
    }

    /** From ifpin-init, before native access: from now on a plain TCP pin need not wait ({@link EarlyPins}). */
    public void pinEarly(IfpinConfig config) {
        try {
            early = EarlyPins.prepare(config);
        } finally {
            earlyDecided.countDown();
        }
    }

    /** The real hook, or null when there is none: releases every waiting socket. Call once. */
    public void complete(PinHook realHook) {
        EarlyPins made = early;
        early = null;
        earlyDecided.countDown(); // if ifpin-init failed before pinEarly
        if (made != null && realHook instanceof Pinner pinner) {
            made.handOver(pinner);
        }
        hook = realHook;
        ready.countDown();
    }

    @Override
    public void beforeTcpConnect(FileDescriptor fd, InetAddress address, int port) throws IOException {
        Rule rule = holdEverySocket ? null : rules.match(address, port, Protocol.TCP);
        if (holdEverySocket || rule != null) {
            long left = rule != null && earlyPossible && EarlyPins.qualifies(rule)
                    ? tryEarlyPin(fd, rule, address, port) : waitMillis;
            if (left < 0) {
                return; // pinned through the JDK (EarlyPins)
            }
            PinHook real = await(left);
            if (real != null) {
                real.beforeTcpConnect(fd, address, port);
            }
        }
    }

    @Override
    public void beforeUdpSend(FileDescriptor fd, InetAddress address, int port) throws IOException {
        if (holdEverySocket || rules.match(address, port, Protocol.UDP) != null) {
            PinHook real = await();
            if (real != null) {
                real.beforeUdpSend(fd, address, port);
            }
        }
    }

    @Override
    public void beforeNativeConnectOrSend(int fd, InetAddress address, int port) throws IOException {
        if (holdEverySocket || rules.match(address, port, Protocol.TCP) != null
                || rules.match(address, port, Protocol.UDP) != null) {
            PinHook real = await();
            if (real != null) {
                real.beforeNativeConnectOrSend(fd, address, port);
            }
        }
    }

    /** The batch's destinations are only read by the real hook, so a batch waits whenever UDP rules exist. */
    @Override
    public void beforeNativeSendBatch(int fd, Object[] packets, int offset, int count) throws IOException {
        if (holdEverySocket || rules.hasOutbound(Protocol.UDP)) {
            PinHook real = await();
            if (real != null) {
                real.beforeNativeSendBatch(fd, packets, offset, count);
            }
        }
    }

    @Override
    public void beforeListen(FileDescriptor fd) throws IOException {
        if (rules.hasInbound()) {
            PinHook real = await();
            if (real != null) {
                real.beforeListen(fd);
            }
        }
    }

    @Override
    public void beforeNativeListen(int fd) throws IOException {
        if (rules.hasInbound()) {
            PinHook real = await();
            if (real != null) {
                real.beforeNativeListen(fd);
            }
        }
    }

    @Override
    public void hookFailed(Throwable failure) {
        PinHook real = hook;
        if (real != null) {
            real.hookFailed(failure);
        } else {
            IfpinLog.error("internal error while pinning a socket before ifpin was ready; the socket proceeds"
                    + " unpinned: " + failure);
        }
    }

    /**
     * From a shutdown hook: one line when the JVM exits while sockets are still held because ifpin was not ready
     * (a short-lived application). They are not released: releasing them unpinned could be wider than the policy.
     * Nothing when none is held: every socket opened so far was decided as the policy says.
     */
    public void reportHeldAtExit(long millisSinceStart) {
        int count = held.get();
        if (count > 0 && ready.getCount() > 0) {
            IfpinLog.warn("the JVM exits " + millisSinceStart + " ms after ifpin started, before ifpin was ready: "
                    + count + " socket(s) opened before then were held and are not let out unpinned (the rules"
                    + " could not be applied yet). Fix: nothing, if the application meant to exit; else see"
                    + " docs/troubleshooting.md, \"the JVM exits before ifpin was ready\".");
        }
    }

    /**
     * Waits for ifpin-init's first step (counted as held, within the bound of {@link #await}) and pins through the JDK
     * if it can: returns -1 when the socket is pinned, else the milliseconds left for waiting on the real hook.
     */
    private long tryEarlyPin(FileDescriptor fd, Rule rule, InetAddress address, int port) {
        if (ready.getCount() == 0) {
            return waitMillis;
        }
        long start = System.nanoTime();
        held.incrementAndGet();
        try {
            if (earlyDecided.getCount() > 0 && !earlyDecided.await(waitMillis, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as in awaitReady: the application's to handle
            return 0;
        } finally {
            held.decrementAndGet();
        }
        EarlyPins now = early;
        if (now != null && now.pin(fd, rule, address, port)) {
            return -1;
        }
        return Math.max(0, waitMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private PinHook await() {
        return await(waitMillis);
    }

    private PinHook await(long millis) {
        if (ready.getCount() == 0) {
            return hook;
        }
        held.incrementAndGet();
        try {
            return awaitReady(millis);
        } finally {
            held.decrementAndGet();
        }
    }

    private PinHook awaitReady(long millis) {
        try {
            if (!ready.await(millis, TimeUnit.MILLISECONDS)) {
                if (timeoutReported.compareAndSet(false, true)) {
                    IfpinLog.error("ifpin's native access was not ready " + waitMillis + " ms after startup;"
                            + " sockets opened until it is proceed unpinned. Please report this with the startup"
                            + " lines (-Difpin.log.level=debug).");
                }
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the application's to handle; this socket proceeds unpinned
            IfpinLog.debug("interrupted while waiting for ifpin's native access; a socket proceeds unpinned");
            return null;
        }
        return hook;
    }
}
