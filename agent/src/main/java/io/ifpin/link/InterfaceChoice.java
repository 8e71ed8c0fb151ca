package io.ifpin.link;

import io.ifpin.rules.Rule;

import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which of a rule's interfaces its sockets use now: the first of {@link Rule#interfaces()} that is up (running, with
 * carrier), as {@link LinkMonitor} last saw the links. The socket's thread reads one volatile int
 * ({@link #inUse()}); only the monitor's thread writes it (docs/dev/architecture.md, "Interface lifecycle").
 *
 * <p>A socket that finds none usable may {@link #await} a change. It parks on a {@link ReentrantLock}'s condition of
 * this rule alone, never while holding a lock other sockets need; a virtual thread that parks there unmounts from its
 * carrier (no {@code synchronized}, no native frame).
 */
public final class InterfaceChoice {

    /** Before the monitor's first dump, or when it cannot run: sockets use the first interface, as without a list. */
    public static final int UNKNOWN = -2;
    /** None of the interfaces is usable. */
    public static final int NONE = -1;

    private final String ruleName;
    private final String origin;
    private final List<String> names;
    private final String[] nameArray;
    private final LongAdder[] pinned;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile int inUse = UNKNOWN;
    /** Set when no monitor will ever update this choice: {@link #await} then returns at once. */
    private volatile boolean abandoned;
    /** The monitor thread's last description of the links, for the give-up message; written by it only. */
    private volatile String states = "";

    InterfaceChoice(Rule rule) {
        this.ruleName = rule.name();
        this.origin = rule.origin();
        this.names = rule.interfaces();
        this.nameArray = names.toArray(new String[0]);
        this.pinned = new LongAdder[nameArray.length];
        for (int i = 0; i < pinned.length; i++) {
            pinned[i] = new LongAdder();
        }
    }

    /** A choice that no monitor updates (tests, or no rtnetlink): always {@link #UNKNOWN}. */
    public static InterfaceChoice fixed(Rule rule) {
        InterfaceChoice choice = new InterfaceChoice(rule);
        choice.abandoned = true;
        return choice;
    }

    /** The position in the rule's list of the interface to use, {@link #NONE} or {@link #UNKNOWN}. */
    public int inUse() {
        return inUse;
    }

    public String name(int position) {
        return nameArray[position];
    }

    public List<String> names() {
        return names;
    }

    /** Counts a socket pinned to the interface at {@code position}. */
    public void pinnedVia(int position) {
        pinned[position].increment();
    }

    /**
     * Waits until an interface is usable or {@code millis} have passed; returns {@link #inUse()} then (still
     * {@link #NONE} or {@link #UNKNOWN} after the time). An interrupt ends the wait early and stays set.
     */
    public int await(long millis) {
        long left = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (inUse < 0 && !abandoned && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return inUse;
    }

    /**
     * The monitor's thread: picks again from {@code links}; returns the line to log when the choice changed, else
     * null. Waiting sockets are woken when one became usable.
     */
    Change update(LinkTable links) {
        int pick = NONE;
        for (int i = 0; i < nameArray.length; i++) {
            if (links.usable(nameArray[i])) {
                pick = i;
                break;
            }
        }
        StringJoiner all = new StringJoiner(", ");
        for (String name : nameArray) {
            all.add(links.describe(name));
        }
        states = all.toString();
        int old = inUse;
        if (pick == old) {
            return null;
        }
        inUse = pick;
        if (pick >= 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return describe(old, pick, links);
    }

    /** Back to {@link #UNKNOWN} (the monitor stopped): sockets use the first interface, and waiters go on. */
    void forget() {
        abandoned = true;
        inUse = UNKNOWN;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A change of the interface in use, and how to log it. */
    record Change(boolean none, String line) {
    }

    private Change describe(int old, int pick, LinkTable links) {
        String head = "rule '" + ruleName + "': ";
        if (pick == NONE) {
            return new Change(true, head + "none of its interfaces is up (" + states + ")");
        }
        String using = ", using " + nameArray[pick];
        if (old >= 0 && pick > old) {
            return new Change(false, head + links.describe(nameArray[old]) + using);
        }
        StringJoiner skipped = new StringJoiner(", ", " (", ")");
        skipped.setEmptyValue("");
        for (int i = 0; i < pick; i++) {
            skipped.add(links.describe(nameArray[i]));
        }
        if (old == UNKNOWN) {
            return new Change(false, head + "using " + nameArray[pick] + skipped);
        }
        return new Change(false, head + nameArray[pick] + " is back" + using + skipped);
    }

    /** For the give-up message: how the interfaces were when the monitor last looked. */
    public String states() {
        return states.isEmpty() ? String.join(", ", names) + " (link state not known)" : states;
    }

    /** {@code c0=3,b0=5}: sockets pinned per interface. */
    public String counts() {
        StringJoiner out = new StringJoiner(",");
        for (int i = 0; i < nameArray.length; i++) {
            out.add(nameArray[i] + "=" + pinned[i].sum());
        }
        return out.toString();
    }

    /** The interface in use now as text: a name, {@code none}, or {@code unknown}. */
    public String inUseText() {
        int now = inUse;
        return now >= 0 ? nameArray[now] : now == NONE ? "none" : "unknown (" + nameArray[0] + " is used)";
    }

    String ruleName() {
        return ruleName;
    }

    String origin() {
        return origin;
    }
}
