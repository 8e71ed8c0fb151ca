package io.ifpin.link;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.LinkEvents;
import io.ifpin.os.LinkMessages;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.rules.Rule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Follows the links of the namespace and keeps every {@link InterfaceChoice} current: one rtnetlink socket subscribed
 * to link notifications ({@link LinkEvents}), read by one daemon thread, {@code ifpin-links}, started the first time a
 * rule lists more than one interface or sets {@code wait-for-interface} (never in premain). It dumps every link first,
 * so the state is right before the first notification, and dumps again when the kernel reports lost notifications
 * ({@code ENOBUFS}). See docs/dev/architecture.md, "Interface lifecycle".
 */
public final class LinkMonitor implements Supplier<String> {

    /** Opens the notification socket; null when there is no rtnetlink (then choices stay {@link InterfaceChoice#UNKNOWN}). */
    public interface Opener {
        LinkEvents open() throws ErrnoException;
    }

    /** A monitor that never runs: choices are fixed ({@link InterfaceChoice#fixed}). */
    public static final LinkMonitor NONE = new LinkMonitor(null);

    private static final int ENOBUFS = 105; // asm-generic/errno.h
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    private final Opener opener;
    private final Map<String, InterfaceChoice> byKey = new ConcurrentHashMap<>();
    /** Guards the table, the active choices and the start; never held while logging or by a socket's thread. */
    private final Object lock = new Object();
    private final LinkTable table = new LinkTable();
    private List<InterfaceChoice> active = List.of();
    private boolean started;
    private boolean known;
    private volatile boolean stopped;

    private final boolean thread;

    public LinkMonitor(Opener opener) {
        this(opener, true);
    }

    /** @param thread false in tests, which feed {@link #apply} themselves */
    LinkMonitor(Opener opener, boolean thread) {
        this.opener = opener;
        this.thread = thread;
    }

    /**
     * The choices for {@code rules} by position (null for a rule that does not {@link Rule#followsLinks}); a rule
     * with the same name and interfaces as before keeps its choice and counters. Starts the thread when needed.
     */
    public InterfaceChoice[] choicesFor(List<Rule> rules) {
        InterfaceChoice[] byIndex = new InterfaceChoice[rules.size()];
        List<InterfaceChoice> following = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Rule rule : rules) {
            if (rule.followsLinks() && rule.index() >= 0 && rule.index() < byIndex.length) {
                String key = rule.name() + "\u0000" + rule.interfaces();
                keys.add(key);
                InterfaceChoice choice = opener == null ? InterfaceChoice.fixed(rule)
                        : byKey.computeIfAbsent(key, k -> new InterfaceChoice(rule));
                byIndex[rule.index()] = choice;
                following.add(choice);
            }
        }
        byKey.keySet().retainAll(keys); // rules a reload removed or changed: their choices and counters go
        if (opener == null || following.isEmpty() && !started) {
            return byIndex;
        }
        List<InterfaceChoice.Change> changes = new ArrayList<>();
        boolean start;
        synchronized (lock) {
            active = List.copyOf(following);
            start = !started && !stopped && thread;
            started = true;
            if (known) {
                update(changes);
            } else if (stopped) {
                following.forEach(InterfaceChoice::forget);
            }
        }
        log(changes);
        if (start) {
            Thread thread = new Thread(this::run, "ifpin-links");
            thread.setDaemon(true);
            thread.start();
        }
        return byIndex;
    }

    /** Over rtnetlink (a class, not a lambda: built on ifpin-init, where each lambda spins classes). */
    public static LinkMonitor over(NetlinkRoutes netlink) {
        return new LinkMonitor(new NetlinkOpener(netlink));
    }

    private static final class NetlinkOpener implements Opener {
        private final NetlinkRoutes netlink;

        NetlinkOpener(NetlinkRoutes netlink) {
            this.netlink = netlink;
        }

        @Override
        public LinkEvents open() throws ErrnoException {
            return netlink.linkEvents();
        }
    }

    /** {@link #describe()}, for the MBean's {@code Interfaces} attribute. */
    @Override
    public String get() {
        return describe();
    }

    /** For the MBean: {@code corp: using b0, pinned c0=3,b0=5; ...}; empty when no rule has a list. */
    public String describe() {
        List<InterfaceChoice> choices;
        synchronized (lock) {
            choices = active;
        }
        StringJoiner out = new StringJoiner("; ");
        for (InterfaceChoice choice : choices) {
            out.add(choice.ruleName() + ": using " + choice.inUseText() + ", pinned " + choice.counts());
        }
        return out.toString();
    }

    /**
     * Applies parsed messages as the thread does (tests feed recorded ones); {@code dumpDone} marks the end of a dump
     * whose links were collected in {@code seen}.
     */
    void apply(List<LinkMessages.Link> links, Set<Integer> seen, boolean dumpDone) {
        List<InterfaceChoice.Change> changes = new ArrayList<>();
        synchronized (lock) {
            table.apply(links, seen);
            if (dumpDone) {
                table.retainOnly(seen);
                known = true;
            }
            if (known) {
                update(changes);
            }
        }
        log(changes);
    }

    private void update(List<InterfaceChoice.Change> changes) {
        for (InterfaceChoice choice : active) {
            InterfaceChoice.Change change = choice.update(table);
            if (change != null) {
                changes.add(change);
            }
        }
    }

    private static void log(List<InterfaceChoice.Change> changes) {
        for (InterfaceChoice.Change change : changes) {
            if (change.none()) {
                IfpinLog.warn(change.line());
            } else {
                IfpinLog.info(change.line());
            }
        }
    }

    private void run() {
        try (LinkEvents events = opener.open()) {
            byte[] buffer = new byte[LinkEvents.BUFFER_BYTES];
            List<LinkMessages.Link> links = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            int dump = events.requestDump();
            boolean dumping = true;
            boolean dumpAgain = false;
            while (!stopped) {
                int length;
                try {
                    length = events.receive(buffer);
                } catch (ErrnoException e) {
                    if (e.errno() == EAGAIN || e.errno() == EINTR) {
                        continue; // the receive timeout: nothing happened
                    }
                    if (e.errno() != ENOBUFS) {
                        throw e;
                    }
                    // Notifications were lost: only a new dump says how the links are now.
                    IfpinLog.debug("link notifications were lost (ENOBUFS); reading every link again");
                    if (dumping) {
                        dumpAgain = true;
                    } else {
                        seen.clear();
                        dump = events.requestDump();
                        dumping = true;
                    }
                    continue;
                }
                links.clear();
                boolean done = LinkMessages.parse(buffer, length, dump, links);
                boolean dumpDone = dumping && done;
                apply(links, dumping ? seen : null, dumpDone);
                if (dumpDone) {
                    dumping = false;
                    if (dumpAgain) {
                        dumpAgain = false;
                        seen.clear();
                        dump = events.requestDump();
                        dumping = true;
                    }
                }
            }
        } catch (Throwable t) {
            stop("cannot follow link state (" + t + "): rules with a list of interfaces pin to their first, and"
                    + " wait-for-interface does not wait. Fix: this needs rtnetlink (Linux); report this if it"
                    + " persists");
        }
    }

    /** Ends following: every choice goes back to {@link InterfaceChoice#UNKNOWN} (the first interface). */
    private void stop(String warning) {
        List<InterfaceChoice> choices;
        synchronized (lock) {
            stopped = true;
            known = false;
            choices = active;
        }
        choices.forEach(InterfaceChoice::forget);
        IfpinLog.warn(warning);
    }
}
