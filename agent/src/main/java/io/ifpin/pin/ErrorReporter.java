package io.ifpin.pin;

import io.ifpin.config.LogLevel;
import io.ifpin.log.IfpinLog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Reports each distinct problem once and counts the repeats, so a failing rule on a hot path (every UDP send, every
 * pooled connect) costs one log line, not millions. The counts are logged when the JVM exits.
 */
public final class ErrorReporter {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /**
     * @param key     what makes two problems "the same" (e.g. rule + errno + interface)
     * @param message built only when this is the first occurrence (or at debug level)
     */
    public void report(String key, LogLevel level, Supplier<String> message) {
        LongAdder count = counts.get(key);
        if (count == null) {
            LongAdder fresh = new LongAdder();
            count = counts.putIfAbsent(key, fresh);
            if (count == null) {
                fresh.increment();
                IfpinLog.log(level, message.get() + " (reported once; repeats are counted)");
                return;
            }
        }
        count.increment();
        if (IfpinLog.isEnabled(LogLevel.DEBUG)) {
            IfpinLog.debug("again (" + count.sum() + " times): " + message.get());
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
