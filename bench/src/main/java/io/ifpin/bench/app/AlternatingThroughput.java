package io.ifpin.bench.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 20's 64-thread comparison inside one JVM that carries the agent: the same threads connect, phase by phase, to
 * the address a rule pins ({@code ifpin}) and to an address no rule matches that the application binds to the device
 * itself ({@link SelfPin}: {@code self}, and again as {@code self-again}, the A/A control). The three phases of a
 * round run back to back, for {@code SECONDS} each after a short settling time, in an order that rotates round by
 * round. Whole processes compared on a shared 2-core machine differ by more than the 3 % in question; phases a second
 * apart share the machine's load, so their ratio can show what the processes cannot.
 *
 * <pre>
 *   AlternatingThroughput PINNED_ADDR SELF_ADDR PORT DEV THREADS ROUNDS SECONDS WARMUP
 * </pre>
 *
 * WARMUP seconds first, the kinds taking turns, untimed: under 64 threads on 2 cores the JIT's compiler threads get
 * a small share of the cores, and the connect path takes seconds to be compiled.
 *
 * One line per phase: {@code round=R kind=K connects_per_s=.. cpu_us_per_connect=..} (the process's CPU time, all
 * threads, over the phase's connects). The self-pinned phases pay ifpin's hook for an address no rule matches too
 * (about 20 ns, docs/dev/performance.md), so the baseline is that much slower than without the agent.
 */
public final class AlternatingThroughput {

    private static final String[] KINDS = {"ifpin", "self", "self-again"};
    /** Between phases: the threads finish the connects of the last phase before counting starts. */
    private static final long SETTLE_MILLIS = 200;

    /** What the threads do now: where they connect and whether the app pins the socket itself. */
    private record Phase(InetSocketAddress target, byte[] selfPinTo, LongAdder connects) {
    }

    private static volatile Phase phase;
    private static volatile boolean running = true;

    private AlternatingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: AlternatingThroughput PINNED_ADDR SELF_ADDR PORT DEV THREADS ROUNDS SECONDS"
                    + " WARMUP");
            System.exit(64);
        }
        int port = Integer.parseInt(args[2]);
        InetSocketAddress pinned = new InetSocketAddress(InetAddress.getByName(args[0]), port);
        InetSocketAddress unmatched = new InetSocketAddress(InetAddress.getByName(args[1]), port);
        byte[] device = SelfPin.device(args[3]);
        int threads = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        long millis = (long) (Double.parseDouble(args[6]) * 1000);
        long warmupMillis = (long) (Double.parseDouble(args[7]) * 1000);
        ConnectApp.connect(pinned); // waits until ifpin is ready (PendingHook): startup, not throughput
        LongAdder failures = new LongAdder();
        phase = new Phase(pinned, null, new LongAdder());
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                while (running) {
                    Phase now = phase;
                    try {
                        ConnectApp.connect(now.target(), now.selfPinTo());
                        now.connects().increment();
                    } catch (Exception e) {
                        failures.increment();
                    }
                }
            }, "connect-" + i);
            thread.start();
            started.add(thread);
        }
        // warm-up: the kinds in turn, untimed, so that the JIT has compiled both paths before the first round
        long warmupEnd = System.nanoTime() + warmupMillis * 1_000_000;
        for (int k = 0; k < KINDS.length || System.nanoTime() - warmupEnd < 0; k++) {
            phase = phase(KINDS[k % KINDS.length], pinned, unmatched, device);
            Thread.sleep(Math.max(SETTLE_MILLIS, Math.min(millis, warmupMillis / KINDS.length)));
        }
        for (int round = 1; round <= rounds; round++) {
            for (int k = 0; k < KINDS.length; k++) {
                String kind = KINDS[(round + k) % KINDS.length];
                Phase next = phase(kind, pinned, unmatched, device);
                phase = next;
                Thread.sleep(SETTLE_MILLIS);
                long connectsBefore = next.connects().sum();
                long cpuBefore = ConnectApp.processCpuTicks();
                long start = System.nanoTime();
                Thread.sleep(millis);
                long count = next.connects().sum() - connectsBefore;
                long cpu = ConnectApp.processCpuTicks() - cpuBefore;
                long elapsed = System.nanoTime() - start;
                System.out.printf("round=%d kind=%s connects_per_s=%.1f cpu_us_per_connect=%.2f%n", round, kind,
                        count * 1e9 / elapsed, count == 0 ? 0.0 : cpu * 1e6 / ConnectApp.CLOCK_TICKS_PER_SECOND
                                / count);
            }
        }
        running = false;
        for (Thread thread : started) {
            thread.join();
        }
        System.out.println("failures=" + failures.sum());
    }

    private static Phase phase(String kind, InetSocketAddress pinned, InetSocketAddress unmatched, byte[] device) {
        return kind.equals("ifpin") ? new Phase(pinned, null, new LongAdder())
                : new Phase(unmatched, device, new LongAdder());
    }
}
