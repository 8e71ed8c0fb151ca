package io.ifpin.pin;

import io.ifpin.log.LogLevel;
import io.ifpin.log.IfpinLog;
import io.ifpin.metrics.RuleOutages;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Reports each distinct problem once and counts the repeats, so a failing rule on a hot path (every UDP send, every
 * pooled connect) costs one log line, not millions. The counts are logged when the JVM exits.
 *
 * <p>A rule's pinning failures are reported once per outage ({@link #pinFailed}): again after a pin of the rule worked
 * ({@link #pinWorks}, which says so). A cause that starts more than {@link #OUTAGES_LOGGED_PER_WINDOW} outages in
 * {@link #WINDOW_MINUTES} minutes (a socket that fails while others of the rule work, over and over) is then counted
 * without lines until the window ends, so flapping cannot flood the log.
 */
public final class ErrorReporter {

    static final int OUTAGES_LOGGED_PER_WINDOW = 5;
    static final long WINDOW_MINUTES = 10;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(WINDOW_MINUTES);

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    /** Per key, outages logged in the current window; guarded by itself. */
    private final Map<String, long[]> logWindows = new HashMap<>();
    private final LongSupplier nanoTime;

    /** Not a method reference: built in premain, where a lambda spins classes (docs/dev/architecture.md, "Startup order"). */
    private static final LongSupplier SYSTEM_NANO_TIME = new LongSupplier() {
        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    };

    public ErrorReporter() {
        this(SYSTEM_NANO_TIME);
    }

    ErrorReporter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * @param key     what makes two problems "the same" (e.g. rule + errno + interface)
     * @param message built only when this is the first occurrence (or at debug level)
     */
    public void report(String key, LogLevel level, Supplier<String> message) {
        if (increment(key)) {
            IfpinLog.log(level, message.get() + " (reported once; repeats are counted)");
        } else {
            logRepeat(key, message);
        }
    }

    /**
     * A pin of a rule failed with {@code cause}: logged when this starts an outage of that cause (the first failure,
     * or the first since a pin of the rule last worked), counted otherwise.
     *
     * @param key the same key for the same rule, cause and interface, as for {@link #report}
     */
    public void pinFailed(RuleOutages outages, String key, String cause, String iface, LogLevel level,
                          Supplier<String> message) {
        RuleOutages.Outage started = outages.failed(cause);
        increment(key);
        if (started == null) {
            logRepeat(key, message);
            return;
        }
        if (!IfpinLog.isEnabled(level)) {
            return;
        }
        String flapping = mayLogOutage(key);
        if (flapping == null) {
            started.markReported();
            IfpinLog.log(level, message.get() + " (reported once per outage; repeats are counted until pinning to '"
                    + iface + "' works again)");
        } else if (!flapping.isEmpty()) {
            IfpinLog.warn(flapping);
        }
    }

    /**
     * A pin of the rule worked: ends its open outages, with an INFO line for each one whose start was logged. Call
     * only when {@link RuleOutages#open()}, so that the success path costs one volatile read.
     */
    public void pinWorks(RuleOutages outages, String rule, String iface) {
        List<RuleOutages.Outage> ended = outages.endAll();
        for (RuleOutages.Outage outage : ended) {
            if (outage.reported()) {
                IfpinLog.info("rule '" + rule + "': pinning to '" + iface + "' works again after "
                        + outage.failures() + " failure(s) with " + outage.cause() + " since " + outage.since());
            }
        }
    }

    /**
     * Null when the start of an outage of {@code key} may be logged; otherwise the one WARN that says further ones
     * are not (the first time in a window), or "" (already said).
     */
    private String mayLogOutage(String key) {
        long now = nanoTime.getAsLong();
        synchronized (logWindows) {
            long[] window = logWindows.computeIfAbsent(key, k -> new long[] {now, 0});
            if (now - window[0] >= WINDOW_NANOS) {
                window[0] = now;
                window[1] = 0;
            }
            window[1]++;
            if (window[1] <= OUTAGES_LOGGED_PER_WINDOW) {
                return null;
            }
            if (window[1] > OUTAGES_LOGGED_PER_WINDOW + 1) {
                return "";
            }
        }
        return key + ": more than " + OUTAGES_LOGGED_PER_WINDOW + " outages in " + WINDOW_MINUTES + " minutes (pins"
                + " that fail while other pins of the rule work); further ones are counted, not logged, for the"
                + " rest of those " + WINDOW_MINUTES + " minutes. The MBean ifpin:type=Rules shows them (Rules,"
                + " columns outages and outageFailures).";
    }

    /** Counts one occurrence of {@code key}; true for the first one. */
    private boolean increment(String key) {
        LongAdder count = counts.get(key);
        if (count == null) {
            LongAdder fresh = new LongAdder();
            count = counts.putIfAbsent(key, fresh);
            if (count == null) {
                fresh.increment();
                return true;
            }
        }
        count.increment();
        return false;
    }

    private void logRepeat(String key, Supplier<String> message) {
        if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
            IfpinLog.debug("again (" + count(key) + " times): " + message.get());
        }
    }

    /** How often {@code key} was reported, for tests and the exit summary. */
    public long count(String key) {
        LongAdder count = counts.get(key);
        return count == null ? 0 : count.sum();
    }

    /** One line per problem that happened more than once. */
    public void logSummary() {
        counts.forEach((key, count) -> {
            long n = count.sum();
            if (n > 1) {
                IfpinLog.warn("at exit: '" + key + "' happened " + n + " times (first occurrence logged above)");
            }
        });
    }
}
