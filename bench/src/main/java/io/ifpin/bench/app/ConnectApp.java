package io.ifpin.bench.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application that bench/harness.sh runs with and without ifpin: it only opens TCP connections, so the agent's
 * share of its costs is visible. Packaged alone as {@code bench/target/connect-app.jar}: no ifpin class on the
 * application's class path, as in production.
 *
 * <pre>
 *   connect-app.jar ADDR PORT once                   one connect, then the wall-clock time: connected_at_ms=
 *                                                    (startup: from the launch to this first connect)
 *   connect-app.jar ADDR PORT serial N               N connects in a row after N/4 to warm up: ns_per_op=
 *   connect-app.jar ADDR PORT threads T V SECONDS    one connect, then T platform + V virtual threads
 *                                                    connecting for SECONDS after SECONDS/3 of warm-up:
 *                                                    connects_per_s=, and the process's CPU time (user + sys,
 *                                                    all threads, ifpin's too) per connect in that time:
 *                                                    cpu_us_per_connect= (-Dconnect.warmup=S: S seconds
 *                                                    of warm-up instead)
 *   connect-app.jar ADDR PORT threads T V SECONDS DEV   the same, each socket pinned to DEV by the app itself
 *                                                    ({@link SelfPin}: FFM on Java 22+, JNA before, with JNA's
 *                                                    jar on the class path): the agent's baseline
 *   connect-app.jar ADDR PORT heap                   one connect, then the heap in use after full GCs: heap_bytes=
 * </pre>
 *
 * Every socket closes with SO_LINGER 0 (a reset, no TIME_WAIT), like the C floor, so that a long run does not run out
 * of local ports. The result is one {@code key=value} line on stdout.
 */
public final class ConnectApp {

    private ConnectApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        switch (args[2]) {
            case "once" -> {
                connect(target);
                System.out.println("connected_at_ms=" + System.currentTimeMillis());
            }
            case "serial" -> serial(target, Long.parseLong(args[3]));
            case "threads" -> threads(target, Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Double.parseDouble(args[5]), args.length > 6 ? SelfPin.device(args[6]) : null);
            case "heap" -> heap(target);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: connect-app.jar ADDR PORT once | serial N | threads T V SECONDS | heap");
        System.exit(64);
    }

    static void connect(InetSocketAddress target) throws Exception {
        connect(target, null);
    }

    /** One connect; {@code selfPinTo}: the device the app binds the socket to itself, or null. */
    static void connect(InetSocketAddress target, byte[] selfPinTo) throws Exception {
        try (Socket socket = new Socket()) {
            if (selfPinTo != null) {
                try {
                    SelfPin.pin(socket, selfPinTo);
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }
            socket.connect(target);
            socket.setSoLinger(true, 0);
        }
    }

    private static void serial(InetSocketAddress target, long count) throws Exception {
        for (long i = 0; i < count / 4; i++) {
            connect(target);
        }
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            connect(target);
        }
        System.out.printf("ns_per_op=%.1f%n", (System.nanoTime() - start) / (double) count);
    }

    private static void threads(InetSocketAddress target, int platform, int virtual, double seconds,
                                byte[] selfPinTo) throws Exception {
        // One connect first: with the agent, a socket that a rule matches waits until ifpin is ready (PendingHook),
        // which with 10,000 rules can take longer than the warm-up; that wait, and ifpin's startup work, are
        // startup, not throughput. -Dconnect.first=ADDR makes that connect go to ADDR (the harness: the pinned
        // address), so that runs to an address no rule matches start after ifpin is ready too.
        String first = System.getProperty("connect.first");
        connect(first == null ? target : new InetSocketAddress(InetAddress.getByName(first), target.getPort()),
                selfPinTo);
        LongAdder connects = new LongAdder();
        LongAdder failures = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        Runnable loop = () -> {
            while (running.get()) {
                try {
                    connect(target, selfPinTo);
                    if (counting.get()) {
                        connects.increment();
                    }
                } catch (Exception e) {
                    failures.increment();
                }
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < platform; i++) {
            Thread thread = new Thread(loop, "connect-" + i);
            thread.start();
            threads.add(thread);
        }
        ExecutorService virtualThreads = virtual > 0 ? newVirtualThreadPerTaskExecutor() : null;
        for (int i = 0; i < virtual; i++) {
            virtualThreads.execute(loop);
        }
        // warm-up: a third of the measured time, or -Dconnect.warmup=SECONDS (the JIT's compiler threads share the
        // cores with the connecting ones: under 64 threads on 2 cores, the connect path takes seconds to compile)
        String warmup = System.getProperty("connect.warmup");
        Thread.sleep(warmup != null ? (long) (Double.parseDouble(warmup) * 1000)
                : Math.max(100, (long) (seconds * 1000 / 3)));
        counting.set(true);
        long start = System.nanoTime();
        long cpuStart = processCpuTicks();
        Thread.sleep((long) (seconds * 1000));
        counting.set(false);
        long cpuTicks = processCpuTicks() - cpuStart;
        long elapsed = System.nanoTime() - start;
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        if (virtualThreads != null) {
            virtualThreads.shutdown(); // not close(): JDK 19+
            virtualThreads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        }
        long count = connects.sum();
        System.out.printf("connects_per_s=%.1f failures=%d cpu_us_per_connect=%.2f%n", count * 1e9 / elapsed,
                failures.sum(), count == 0 ? 0.0 : cpuTicks * 1e6 / CLOCK_TICKS_PER_SECOND / count);
    }

    /**
     * USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture the JDK runs on (the kernel exports a
     * fixed value to user space whatever its internal tick).
     */
    static final double CLOCK_TICKS_PER_SECOND = 100;

    /**
     * This process's CPU time so far, user + system, all threads, in clock ticks: fields 14 and 15 of /proc/self/stat
     * (proc(5)). Read from /proc, not the OperatingSystemMXBean, so that the app touches no JMX that an agent might
     * react to. The field after the command name's closing parenthesis is field 3.
     */
    static long processCpuTicks() throws IOException {
        String stat = new String(Files.readAllBytes(Path.of("/proc/self/stat")), StandardCharsets.US_ASCII);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /** JDK 21+; found reflectively so that the app stays Java 17 bytecode and runs on both JDKs. */
    private static ExecutorService newVirtualThreadPerTaskExecutor() throws Exception {
        try {
            Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) factory.invoke(null);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("virtual threads need JDK 21 or later; this is " + Runtime.version());
        }
    }

    private static void heap(InetSocketAddress target) throws Exception {
        connect(target);
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the lowest of a few full GCs: what is really held
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        System.out.println("heap_bytes=" + used);
    }
}
