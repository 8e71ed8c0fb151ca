package io.ifpin.dns;

import io.ifpin.log.IfpinLog;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the JDK from serving a rule's DNS answer longer than its records allow. The JDK caches whatever
 * {@code getAddressesFromNameService} returns for {@code networkaddress.cache.ttl} (30 s by default), whatever the
 * records' TTL; when the answer's TTL is shorter, its entry is removed from the JDK's cache when the TTL ends, so the
 * next lookup asks the rule's servers again. A longer TTL changes nothing (the JDK's policy ends first), and neither
 * does a policy of 0 (the JDK caches nothing) or -1 (cache forever, which an operator sets on purpose). Negative
 * answers are cached by the JDK's {@code networkaddress.cache.negative.ttl}, untouched. See docs/how-it-works.md,
 * "Caching".
 */
final class ShortTtlExpiry {

    /** The JDK's address cache, behind an interface so the decisions are tested without it. */
    interface AddressCache {
        /** {@code networkaddress.cache.ttl} as the JDK applies it: seconds; 0 caches nothing, -1 forever. */
        int positivePolicySeconds();

        /** Removes the JDK's cached answer for {@code host}. */
        Eviction evict(String host);
    }

    enum Eviction {
        REMOVED,
        /** The lookup that the answer belongs to has not stored it yet. */
        IN_PROGRESS,
        ABSENT
    }

    /** Runs a task after a delay (a daemon thread in the agent; by hand in tests). */
    interface Scheduler {
        void schedule(Runnable task, long delayMillis);
    }

    /** While the JDK has not yet stored the answer (a TTL of 0 can end first): look again after this long. */
    static final long RETRY_MILLIS = 50;
    static final int MAX_RETRIES = 40;

    private final AddressCache cache;
    private final Scheduler scheduler;

    ShortTtlExpiry(AddressCache cache, Scheduler scheduler) {
        this.cache = cache;
        this.scheduler = scheduler;
    }

    /**
     * The JDK's cache with a daemon thread that removes entries, or null (reported once) when the cache cannot be
     * reached: then answers are kept for the JDK's policy, as without ifpin.
     */
    static ShortTtlExpiry forJdk() {
        try {
            return new ShortTtlExpiry(JdkAddressCache.open(), new DaemonScheduler());
        } catch (ReflectiveOperationException | RuntimeException e) {
            IfpinLog.warn("ifpin cannot reach the JDK's address cache (" + e + "), so answers of rules' DNS servers"
                    + " are cached for networkaddress.cache.ttl even when their TTL is shorter. Fix: none needed"
                    + " unless such names move faster than that; then set networkaddress.cache.ttl lower, and"
                    + " report this with your Java version");
            return null;
        }
    }

    /** {@code host} was answered with records valid for {@code ttlSeconds}. */
    void answered(String host, long ttlSeconds) {
        int policy = cache.positivePolicySeconds();
        if (policy <= 0 || ttlSeconds >= policy) {
            return;
        }
        scheduler.schedule(new Evict(host, 0), Math.max(0, ttlSeconds) * 1000L);
    }

    private final class Evict implements Runnable {
        private final String host;
        private final int retries;

        Evict(String host, int retries) {
            this.host = host;
            this.retries = retries;
        }

        @Override
        public void run() {
            if (cache.evict(host) == Eviction.IN_PROGRESS && retries < MAX_RETRIES) {
                scheduler.schedule(new Evict(host, retries + 1), RETRY_MILLIS);
            }
        }
    }

    /** One daemon thread, started at the first short TTL; it holds nothing of the application's. */
    private static final class DaemonScheduler implements Scheduler, ThreadFactory {
        private ScheduledThreadPoolExecutor executor;

        @Override
        public synchronized void schedule(Runnable task, long delayMillis) {
            if (executor == null) {
                executor = new ScheduledThreadPoolExecutor(1, this);
            }
            executor.schedule(new Guarded(task), delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread thread = new Thread(r, "ifpin-dns-ttl");
            thread.setDaemon(true);
            thread.setContextClassLoader(null);
            return thread;
        }
    }

    /** A failure to evict costs only the early expiry; it must not kill the thread. */
    private static final class Guarded implements Runnable {
        private final Runnable task;

        Guarded(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) {
                IfpinLog.debug("evicting a short-TTL answer from the JDK's cache failed: " + e);
            }
        }
    }
}
