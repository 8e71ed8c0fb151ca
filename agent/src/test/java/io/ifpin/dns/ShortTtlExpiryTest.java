package io.ifpin.dns;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When an answer leaves the JDK's cache early: only a TTL shorter than a finite, non-zero JDK policy. */
class ShortTtlExpiryTest {

    /** A JDK cache whose entry for each host is "in progress" for the first {@code inProgress} looks. */
    private static final class FakeCache implements ShortTtlExpiry.AddressCache {
        final int policy;
        int inProgress;
        final List<String> evicted = new ArrayList<>();

        FakeCache(int policy, int inProgress) {
            this.policy = policy;
            this.inProgress = inProgress;
        }

        @Override
        public int positivePolicySeconds() {
            return policy;
        }

        @Override
        public ShortTtlExpiry.Eviction evict(String host) {
            if (inProgress > 0) {
                inProgress--;
                return ShortTtlExpiry.Eviction.IN_PROGRESS;
            }
            evicted.add(host);
            return ShortTtlExpiry.Eviction.REMOVED;
        }
    }

    /** Records the delays and runs the tasks when told to. */
    private static final class ManualScheduler implements ShortTtlExpiry.Scheduler {
        final List<Long> delays = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void schedule(Runnable task, long delayMillis) {
            delays.add(delayMillis);
            tasks.add(task);
        }

        void runAll(int bound) {
            for (int i = 0; i < tasks.size() && i < bound; i++) {
                tasks.get(i).run();
            }
        }
    }

    @Test
    void aTtlShorterThanTheJdksPolicyEndsTheCachedAnswerAtTheTtl() {
        FakeCache cache = new FakeCache(30, 0);
        ManualScheduler scheduler = new ManualScheduler();
        new ShortTtlExpiry(cache, scheduler).answered("db.corp.example", 5);
        assertEquals(List.of(5000L), scheduler.delays);
        scheduler.runAll(10);
        assertEquals(List.of("db.corp.example"), cache.evicted);
    }

    @Test
    void aTtlAtOrAboveThePolicyOrAPolicyOfNeverOrForeverLeavesTheJdkAlone() {
        for (int[] policyAndTtl : new int[][]{{30, 30}, {30, 3600}, {0, 5}, {-1, 5}}) {
            ManualScheduler scheduler = new ManualScheduler();
            new ShortTtlExpiry(new FakeCache(policyAndTtl[0], 0), scheduler).answered("db.corp.example",
                    policyAndTtl[1]);
            assertEquals(List.of(), scheduler.delays, "policy " + policyAndTtl[0] + " s, TTL " + policyAndTtl[1]
                    + " s");
        }
    }

    @Test
    void aTtlOfZeroWaitsUntilTheJdkHasStoredTheAnswerThenRemovesIt() {
        FakeCache cache = new FakeCache(30, 2);
        ManualScheduler scheduler = new ManualScheduler();
        new ShortTtlExpiry(cache, scheduler).answered("db.corp.example", 0);
        scheduler.runAll(10);
        assertEquals(List.of(0L, ShortTtlExpiry.RETRY_MILLIS, ShortTtlExpiry.RETRY_MILLIS), scheduler.delays);
        assertEquals(List.of("db.corp.example"), cache.evicted);
    }

    @Test
    void theRetriesAreBounded() {
        FakeCache cache = new FakeCache(30, Integer.MAX_VALUE);
        ManualScheduler scheduler = new ManualScheduler();
        new ShortTtlExpiry(cache, scheduler).answered("db.corp.example", 1);
        scheduler.runAll(1000);
        assertEquals(1 + ShortTtlExpiry.MAX_RETRIES, scheduler.tasks.size());
        assertEquals(List.of(), cache.evicted);
    }
}
