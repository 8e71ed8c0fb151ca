package io.ifpin.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outages of one rule: an outage of a cause (an errno) starts with the first pin of the rule that fails with it and
 * ends with the next pin of the rule that succeeds. Counted here for the MBean; {@code ErrorReporter} logs the start
 * and the end.
 *
 * <p>A successful pin costs one volatile read ({@link #open()}); repeats of an open outage cost a map lookup and an
 * adder increment; only starting and ending one takes this object's lock.
 */
public final class RuleOutages {

    /** One outage of one cause, open until {@link #endAll} closes it. */
    public static final class Outage {
        private final String cause;
        private final Instant since;
        private final LongAdder failures = new LongAdder();
        private volatile boolean over;
        private volatile boolean reported;

        Outage(String cause, Instant since) {
            this.cause = cause;
            this.since = since;
        }

        public String cause() {
            return cause;
        }

        public Instant since() {
            return since;
        }

        public long failures() {
            return failures.sum();
        }

        /** Its start was logged, so its end is. */
        public void markReported() {
            reported = true;
        }

        public boolean reported() {
            return reported;
        }
    }

    private final Map<String, Outage> openByCause = new ConcurrentHashMap<>();
    private volatile boolean open;
    private long started;
    private volatile Instant lastEnded;

    /**
     * Counts a failed pin; returns the outage when this failure started it (the caller reports it), else null.
     */
    public Outage failed(String cause) {
        Outage outage = openByCause.get(cause);
        if (outage == null || outage.over) {
            synchronized (this) {
                outage = openByCause.get(cause);
                if (outage == null || outage.over) {
                    Outage fresh = new Outage(cause, Instant.now());
                    fresh.failures.increment();
                    openByCause.put(cause, fresh);
                    started++;
                    open = true;
                    return fresh;
                }
            }
        }
        // An outage ended by another thread between the read and here keeps this one failure; the next one starts
        // a new outage.
        outage.failures.increment();
        return null;
    }

    /** Whether an outage is open: the one read on the success path. */
    public boolean open() {
        return open;
    }

    /** Ends every open outage (a pin succeeded) and returns them; empty when another thread ended them first. */
    public List<Outage> endAll() {
        synchronized (this) {
            if (!open) {
                return List.of();
            }
            List<Outage> ended = new ArrayList<>(openByCause.values());
            for (Outage outage : ended) {
                outage.over = true;
            }
            openByCause.clear();
            open = false;
            lastEnded = Instant.now();
            return ended;
        }
    }

    /** Outages started since the JVM started, open ones included. */
    public synchronized long started() {
        return started;
    }

    /** Failures in the open outages (0 when none is open). */
    public long currentFailures() {
        long sum = 0;
        for (Outage outage : openByCause.values()) {
            sum += outage.failures();
        }
        return sum;
    }

    /** When the oldest open outage started, or null when none is open. */
    public Instant currentSince() {
        Instant since = null;
        for (Outage outage : openByCause.values()) {
            if (since == null || outage.since.isBefore(since)) {
                since = outage.since;
            }
        }
        return since;
    }

    /** When an outage last ended, or null. */
    public Instant lastEnded() {
        return lastEnded;
    }
}
