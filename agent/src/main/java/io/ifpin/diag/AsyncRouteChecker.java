package io.ifpin.diag;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.Addresses;
import io.ifpin.os.Routes;
import io.ifpin.rules.Rule;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks the route of pinned sockets off the application's thread. {@link #maybeCheck} runs in the connect/send
 * hook: for a (rule, interface, destination network) it has seen it costs one {@link ConcurrentHashMap} lookup; the
 * first time, it offers the check to a bounded queue and returns. It never blocks, never does I/O and never opens a
 * socket. One daemon thread, {@value #THREAD_NAME}, asks the kernel (netlink) and logs the warnings.
 *
 * <p>Destinations are grouped by network: /24 for IPv4, /64 for IPv6, so an application talking to many hosts of
 * one network costs one check. At most {@link #MAX_KEYS} keys are remembered; beyond that nothing more is checked
 * (one DEBUG line says so). A full queue drops the check, and the key is forgotten so a later socket offers it again.
 */
public final class AsyncRouteChecker {

    public static final String THREAD_NAME = "ifpin-route-check";
    public static final int MAX_KEYS = 4096;
    static final int QUEUE_CAPACITY = 256;
    /** How long the JVM's exit waits for checks still queued, so a short-lived application still gets its warning. */
    static final long EXIT_GRACE_MILLIS = 1000;
    /** Route warnings per rule at WARN; later ones go to DEBUG, so a hosts rule over many networks cannot flood. */
    static final int WARNINGS_PER_RULE = 5;

    /** The check itself, on ifpin's thread. */
    @FunctionalInterface
    public interface Work {
        /** @return false to forget the key and check it again on a later socket (e.g. the interface is missing) */
        boolean check(Rule rule, String interfaceName, InetAddress destination);
    }

    /** A checker that checks nothing: for tests and when netlink is unavailable. */
    public static final AsyncRouteChecker DISABLED = new AsyncRouteChecker(null, 0, 1);

    private static final Task CAP_REACHED = new Task(null, null, null, null);

    private final Work work;
    private final int maxKeys;
    private final ConcurrentHashMap<Key, Boolean> seen = new ConcurrentHashMap<>();
    private final AtomicInteger keyCount = new AtomicInteger();
    private final AtomicBoolean capReported = new AtomicBoolean();
    private final BlockingQueue<Task> queue;
    /** Tasks offered and not yet finished (queued or running). */
    private final AtomicInteger pending = new AtomicInteger();

    AsyncRouteChecker(Work work, int maxKeys, int queueCapacity) {
        this.work = work;
        this.maxKeys = maxKeys;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
    }

    /** The real checker: route and rp_filter checks, logged as WARN lines, on a started daemon thread. */
    public static AsyncRouteChecker start(Routes routes, RpFilter.Sysctl sysctl) {
        AsyncRouteChecker checker = new AsyncRouteChecker(new Checks(new RouteCheck(routes), sysctl), MAX_KEYS,
                QUEUE_CAPACITY);
        Thread thread = new Thread(checker::serve, THREAD_NAME);
        thread.setDaemon(true);
        thread.setContextClassLoader(null); // nothing of the application's
        thread.start();
        Thread drain = new Thread(() -> checker.awaitIdle(EXIT_GRACE_MILLIS), THREAD_NAME + "-exit");
        drain.setContextClassLoader(null);
        Runtime.getRuntime().addShutdownHook(drain);
        return checker;
    }

    /** Waits until no check is queued or running, at most {@code millis}; true when idle. */
    boolean awaitIdle(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (pending.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Called on the application's thread after a socket was pinned (or found already pinned) by {@code rule}.
     * Lock-free when the key is known; otherwise at most a put and a non-blocking {@code offer}.
     */
    public void maybeCheck(Rule rule, String interfaceName, InetAddress destination) {
        if (work == null) {
            return;
        }
        Key key = Key.of(rule.index(), interfaceName, destination);
        if (seen.containsKey(key)) {
            return;
        }
        if (keyCount.get() >= maxKeys) {
            if (capReported.compareAndSet(false, true)) {
                offer(CAP_REACHED); // the worker logs it: no I/O here
            }
            return;
        }
        if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
            return;
        }
        keyCount.incrementAndGet();
        if (!offer(new Task(key, rule, interfaceName, destination))) {
            forget(key);
        }
    }

    /**
     * Loads and links what {@link #maybeCheck} needs (the records, their invokedynamic {@code hashCode}/{@code
     * equals}) in premain, so the first application socket does not: a virtual thread that loads a class, or links a
     * call site, while another holds the loader's lock parks pinned to its carrier (VirtualThreadsIT saw it here).
     * Touches no state.
     */
    public static void warmUp() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Key key = Key.of(0, "lo", loopback);
        Task task = new Task(key, null, "lo", loopback);
        if (!key.equals(Key.of(0, "lo", loopback)) || key.hashCode() != task.key().hashCode()) {
            throw new AssertionError("Key is not a value");
        }
    }

    private boolean offer(Task task) {
        pending.incrementAndGet();
        if (queue.offer(task)) {
            return true;
        }
        pending.decrementAndGet();
        return false;
    }

    /** Keys remembered so far (tests, diagnostics). */
    int keyCount() {
        return keyCount.get();
    }

    int queued() {
        return queue.size();
    }

    /** Runs the queued checks on the calling thread; tests use this instead of {@link #start}. */
    void runQueued() {
        Task task;
        while ((task = queue.poll()) != null) {
            runOne(task);
        }
    }

    private void serve() {
        while (true) {
            Task task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            runOne(task);
        }
    }

    private void runOne(Task task) {
        try {
            runChecked(task);
        } finally {
            pending.decrementAndGet();
        }
    }

    private void runChecked(Task task) {
        if (task == CAP_REACHED) {
            IfpinLog.debug("route check: " + maxKeys + " (rule, interface, network) keys checked; later networks"
                    + " are not checked");
            return;
        }
        boolean settled;
        try {
            settled = work.check(task.rule, task.interfaceName, task.destination);
        } catch (Throwable t) {
            IfpinLog.debug("route check for rule '" + task.rule.name() + "' failed: " + t);
            settled = true; // do not retry a check that throws
        }
        if (!settled) {
            forget(task.key);
        }
    }

    private void forget(Key key) {
        if (seen.remove(key) != null) {
            keyCount.decrementAndGet();
        }
    }

    /**
     * (rule index, interface, network): IPv4 keeps the first 24 bits, IPv6 the first 64. IPv4-mapped IPv6
     * addresses count as IPv4.
     */
    record Key(int rule, String interfaceName, boolean ipv4, long high, long low) {

        static Key of(int rule, String interfaceName, InetAddress destination) {
            if (destination instanceof Inet4Address) {
                // Inet4Address.hashCode() is the address: no array copy on the hot path.
                return new Key(rule, interfaceName, true, 0, destination.hashCode() & 0xffffff00L);
            }
            byte[] bytes = destination.getAddress();
            if (Addresses.isIpv4Mapped(bytes)) {
                long ipv4 = (bytes[12] & 0xffL) << 24 | (bytes[13] & 0xffL) << 16 | (bytes[14] & 0xffL) << 8;
                return new Key(rule, interfaceName, true, 0, ipv4);
            }
            long high = 0;
            for (int i = 0; i < 8; i++) {
                high = high << 8 | (bytes[i] & 0xff);
            }
            return new Key(rule, interfaceName, false, high, 0);
        }

    }

    private record Task(Key key, Rule rule, String interfaceName, InetAddress destination) {
    }

    /** What the worker does: rp_filter once per interface (at its first IPv4 destination), then the route. */
    static final class Checks implements Work {
        private final RouteCheck routeCheck;
        private final RpFilter.Sysctl sysctl;
        private final Set<String> rpFilterChecked = new HashSet<>();
        private final Map<String, Integer> warningsPerRule = new HashMap<>();

        Checks(RouteCheck routeCheck, RpFilter.Sysctl sysctl) {
            this.routeCheck = routeCheck;
            this.sysctl = sysctl;
        }

        @Override
        public boolean check(Rule rule, String interfaceName, InetAddress destination) {
            if (!routeCheck.interfaceExists(interfaceName)) {
                return false; // a VPN that comes up later: check again on a later socket
            }
            InetAddress dst = RouteCheck.normalize(destination);
            if (dst instanceof Inet4Address && rpFilterChecked.add(interfaceName)) {
                String warning = RpFilter.warning(rule, interfaceName, RpFilter.read(sysctl, interfaceName));
                if (warning != null) {
                    IfpinLog.warn(warning);
                }
            }
            String warning = routeCheck.check(rule, interfaceName, dst);
            if (warning != null) {
                int count = warningsPerRule.merge(rule.name(), 1, Integer::sum);
                if (count <= WARNINGS_PER_RULE) {
                    IfpinLog.warn(warning + (count == WARNINGS_PER_RULE ? " (further route warnings for rule '"
                            + rule.name() + "' are logged at DEBUG)" : ""));
                } else {
                    IfpinLog.debug(warning);
                }
            }
            return true;
        }
    }
}
