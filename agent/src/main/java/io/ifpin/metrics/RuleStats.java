package io.ifpin.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one rule. {@link LongAdder}s: every socket of the application increments one on its own thread,
 * and an adder spreads contended increments over cells instead of making threads retry one shared word.
 *
 * <p>Every decision counts once in exactly one of {@code pinned}, {@code allowed}, {@code denied} or {@code errors},
 * and {@code matched} is their sum, computed when read: one increment per socket, not two. The audit log has one
 * line per decision with the same split.
 */
public final class RuleStats {
    private final LongAdder pinned = new LongAdder();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder errors = new LongAdder();
    /** Of {@code errors}, those refused because the rule is fail-closed. */
    private final LongAdder refused = new LongAdder();
    private final Map<String, LongAdder> errorsByErrno = new ConcurrentHashMap<>();
    private final RuleOutages outages = new RuleOutages();

    public void pinned() {
        pinned.increment();
    }

    /** {@code count} pins made before the real hook was ready (io.ifpin.pin.EarlyPins). */
    public void pinned(long count) {
        pinned.add(count);
    }

    public void allowed() {
        allowed.increment();
    }

    public void denied() {
        denied.increment();
    }

    /** @param errno e.g. {@code EPERM}, or {@code internal} for a failure inside ifpin */
    public void error(String errno, boolean refusedSocket) {
        errors.increment();
        if (refusedSocket) {
            refused.increment();
        }
        errorsByErrno.computeIfAbsent(errno, key -> new LongAdder()).increment();
    }

    /** The rule's outages: when its pins failed, and whether they work again. */
    public RuleOutages outages() {
        return outages;
    }

    public long matched() {
        return pinned.sum() + allowed.sum() + denied.sum() + errors.sum();
    }

    public long pinnedCount() {
        return pinned.sum();
    }

    public long allowedCount() {
        return allowed.sum();
    }

    public long deniedCount() {
        return denied.sum();
    }

    public long errorCount() {
        return errors.sum();
    }

    public long refusedCount() {
        return refused.sum();
    }

    /** Errno name to count, sorted by name. */
    public Map<String, Long> errorsByErrno() {
        Map<String, Long> out = new TreeMap<>();
        errorsByErrno.forEach((errno, count) -> out.put(errno, count.sum()));
        return out;
    }
}
