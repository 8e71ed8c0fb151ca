package io.ifpin.diag;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.Addresses;
import io.ifpin.os.Routes;
import io.ifpin.rules.InetAddressFields;
import io.ifpin.rules.Rule;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
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
 * hook: for a (rule, destination network) it has seen it costs an array read by the rule's position, an identity
 * test and a binary search, and allocates nothing (IPv6 bytes are read in place, {@link InetAddressFields}); the
 * first time, it offers the check to a bounded queue and returns. It never blocks, never does I/O and never opens a
 * socket. One daemon thread, {@value #THREAD_NAME}, asks the kernel (netlink) and logs the warnings.
 *
 * <p>A rule is known by its name and what it says ({@link Rule#describe()} and its interface), not by its position: a
 * reload that puts another rule at the same position, or changes a rule, has its networks checked again; a rule a
 * reload left as it was is not.
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

    private static final Task CAP_REACHED = new Task(null, null, 0, null, null, null);

    private final Work work;
    private final int maxKeys;
    /** By rule name: the networks checked for the rule of that name now in force. */
    private final ConcurrentHashMap<String, RuleNetworks> byRule = new ConcurrentHashMap<>();
    /**
     * The same by the rule's position ({@link Rule#index()} + 1, so the default rule's -1 has slot 0), for the lookup
     * on every pinned socket: no hashing. An
     * entry is used only when its {@code rule} is the very rule object asked about; otherwise {@link #networksOf}
     * decides by name and content, and updates the entry.
     */
    private volatile RuleNetworks[] byIndex = new RuleNetworks[0];
    /** Held to replace a rule's networks, and to forget a key (not while its networks are being replaced). */
    private final Object rulesLock = new Object();
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
     * Lock-free when the rule and the network are known; otherwise at most a short lock (no I/O in it) and a
     * non-blocking {@code offer}.
     */
    public void maybeCheck(Rule rule, String interfaceName, InetAddress destination) {
        if (work == null) {
            return;
        }
        int slot = slotOf(rule);
        RuleNetworks[] known = byIndex;
        RuleNetworks networks = slot >= 0 && slot < known.length ? known[slot] : null;
        if (networks == null || networks.rule != rule || networks.retired) { // retired: as the lookup by name did
            networks = networksOf(rule, interfaceName);
        }
        NetworkSet set;
        long network;
        if (destination instanceof Inet4Address) {
            set = networks.ipv4;
            network = destination.hashCode() & 0xffffff00L; // Inet4Address.hashCode() is the address: no copy
        } else {
            byte[] bytes = InetAddressFields.ipv6Bytes((Inet6Address) destination); // read only, not copied
            if (Addresses.isIpv4Mapped(bytes)) {
                set = networks.ipv4;
                network = (bytes[12] & 0xffL) << 24 | (bytes[13] & 0xffL) << 16 | (bytes[14] & 0xffL) << 8;
            } else {
                set = networks.ipv6;
                network = 0;
                for (int i = 0; i < 8; i++) {
                    network = network << 8 | (bytes[i] & 0xff);
                }
            }
        }
        if (set.contains(network)) {
            return;
        }
        if (keyCount.get() >= maxKeys) {
            if (capReported.compareAndSet(false, true)) {
                offer(CAP_REACHED); // the worker logs it: no I/O here
            }
            return;
        }
        if (!set.add(network)) {
            return; // another thread was first
        }
        keyCount.incrementAndGet();
        Task task = new Task(networks, set, network, rule, interfaceName, destination);
        if (!offer(task)) {
            forget(task);
        }
    }

    /**
     * The networks of {@code rule}, first seen (this object) now: those of the rule of the same name when it says the
     * same (a reload that left it alone), else new ones that replace them (their keys are forgotten). Once per rule
     * object; the lock holds no I/O.
     */
    private RuleNetworks networksOf(Rule rule, String interfaceName) {
        String says = interfaceName + " " + rule.describe();
        synchronized (rulesLock) {
            RuleNetworks known = byRule.get(rule.name());
            if (known != null && known.says.equals(says)) {
                known.rule = rule;
                remember(slotOf(rule), known);
                return known;
            }
            RuleNetworks fresh = new RuleNetworks(rule, says);
            byRule.put(rule.name(), fresh);
            remember(slotOf(rule), fresh);
            if (known != null) {
                known.retired = true;
                keyCount.addAndGet(-(known.ipv4.size() + known.ipv6.size()));
            }
            return fresh;
        }
    }

    /** The rule's slot in {@link #byIndex}: its position, after the default rule's slot 0. */
    private static int slotOf(Rule rule) {
        return rule.index() + 1;
    }

    /**
     * Puts {@code networks} at the rule's slot in {@link #byIndex}; under {@link #rulesLock}. The array grows by
     * doubling and is otherwise written in place, without a copy: a reader that sees an old entry or none takes the
     * locked path, and a reader that sees the new entry sees its final fields set and tests its volatile ones.
     */
    private void remember(int slot, RuleNetworks networks) {
        if (slot < 0) {
            return; // no position: found by name
        }
        RuleNetworks[] current = byIndex;
        if (slot >= current.length) {
            current = Arrays.copyOf(current, Math.max(slot + 1, 2 * current.length));
        }
        current[slot] = networks;
        byIndex = current;
    }

    /**
     * Loads what {@link #maybeCheck} needs in premain, so the first application socket does not: a virtual thread
     * that loads a class while another holds the loader's lock parks pinned to its carrier (VirtualThreadsIT saw it
     * here). Touches no state.
     */
    public static void warmUp() {
        NetworkSet set = new NetworkSet();
        if (!set.add(0xcb007100L) || !set.contains(0xcb007100L) || !set.remove(0xcb007100L) || set.size() != 0) {
            throw new AssertionError("NetworkSet is not a set");
        }
        RuleNetworks networks = new RuleNetworks(null, "");
        new Task(networks, networks.ipv4, 0, null, "lo", InetAddress.getLoopbackAddress());
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
            // A rule with a list may switch to its other interfaces: check those that exist now, too (issue 15).
            for (String other : task.rule.interfaces()) {
                if (!other.equals(task.interfaceName)) {
                    work.check(task.rule, other, task.destination);
                }
            }
        } catch (Throwable t) {
            IfpinLog.debug("route check for rule '" + task.rule.name() + "' failed: " + t);
            settled = true; // do not retry a check that throws
        }
        if (!settled) {
            forget(task);
        }
    }

    private void forget(Task task) {
        synchronized (rulesLock) { // not while networksOf retires these networks and counts them out
            if (task.set.remove(task.network) && !task.networks.retired) {
                keyCount.decrementAndGet();
            }
        }
    }

    /**
     * The destination networks checked for one rule: IPv4 keeps the first 24 bits, IPv6 the first 64; an
     * IPv4-mapped IPv6 address counts as IPv4.
     */
    private static final class RuleNetworks {
        /** What the rule says: a rule of the same name that says the same shares these networks. */
        final String says;
        final NetworkSet ipv4 = new NetworkSet();
        final NetworkSet ipv6 = new NetworkSet();
        /** The rule object last seen with these networks: the lock-free test in {@link #maybeCheck}. */
        volatile Rule rule;
        /** Replaced by a changed rule of the same name: its keys are no longer counted. */
        volatile boolean retired;

        RuleNetworks(Rule rule, String says) {
            this.rule = rule;
            this.says = says;
        }
    }

    /**
     * A set of networks, read without a lock and without allocating: a sorted array, replaced on each change (a
     * change is the first socket to a network, at most {@link #MAX_KEYS} in all).
     */
    static final class NetworkSet {
        private static final long[] EMPTY = new long[0];
        private volatile long[] sorted = EMPTY;

        boolean contains(long network) {
            return Arrays.binarySearch(sorted, network) >= 0;
        }

        synchronized boolean add(long network) {
            long[] current = sorted;
            int at = Arrays.binarySearch(current, network);
            if (at >= 0) {
                return false;
            }
            int insert = -at - 1;
            long[] next = new long[current.length + 1];
            System.arraycopy(current, 0, next, 0, insert);
            next[insert] = network;
            System.arraycopy(current, insert, next, insert + 1, current.length - insert);
            sorted = next;
            return true;
        }

        synchronized boolean remove(long network) {
            long[] current = sorted;
            int at = Arrays.binarySearch(current, network);
            if (at < 0) {
                return false;
            }
            long[] next = new long[current.length - 1];
            System.arraycopy(current, 0, next, 0, at);
            System.arraycopy(current, at + 1, next, at, next.length - at);
            sorted = next;
            return true;
        }

        int size() {
            return sorted.length;
        }
    }

    /** One check for the worker: where its key lives (to forget it) and what to check. */
    private static final class Task {
        final RuleNetworks networks;
        final NetworkSet set;
        final long network;
        final Rule rule;
        final String interfaceName;
        final InetAddress destination;

        Task(RuleNetworks networks, NetworkSet set, long network, Rule rule, String interfaceName,
             InetAddress destination) {
            this.networks = networks;
            this.set = set;
            this.network = network;
            this.rule = rule;
            this.interfaceName = interfaceName;
            this.destination = destination;
        }
    }

    /** What the worker does: rp_filter once per interface (at its first IPv4 destination), then the route. */
    static final class Checks implements Work {
        private final RouteCheck routeCheck;
        private final MarkRouteCheck markCheck;
        private final RpFilter.Sysctl sysctl;
        private final Set<String> rpFilterChecked = new HashSet<>();
        private final Map<String, Integer> warningsPerRule = new HashMap<>();

        Checks(RouteCheck routeCheck, RpFilter.Sysctl sysctl) {
            this.routeCheck = routeCheck;
            this.markCheck = new MarkRouteCheck(routeCheck.routes());
            this.sysctl = sysctl;
        }

        @Override
        public boolean check(Rule rule, String interfaceName, InetAddress destination) {
            if (rule.mark() != null && (interfaceName == null || routeCheck.interfaceExists(interfaceName))) {
                warnOnce(rule, markCheck.check(rule, interfaceName, destination));
            }
            if (interfaceName == null) {
                return true; // a mark and/or a source only: nothing is bound to an interface
            }
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
            warnOnce(rule, routeCheck.check(rule, interfaceName, dst));
            return true;
        }

        /** At most {@value #WARNINGS_PER_RULE} route warnings per rule at WARN, the rest at DEBUG. */
        private void warnOnce(Rule rule, String warning) {
            if (warning != null) {
                int count = warningsPerRule.merge(rule.name(), 1, Integer::sum);
                if (count <= WARNINGS_PER_RULE) {
                    IfpinLog.warn(warning + (count == WARNINGS_PER_RULE ? " (further route warnings for rule '"
                            + rule.name() + "' are logged at DEBUG)" : ""));
                } else {
                    IfpinLog.debug(warning);
                }
            }
        }
    }
}
