package io.ifpin.it.apps;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM for InterfaceLifecycleIT, run in a lab's client namespace as root: it connects while its own steps change
 * that namespace's links, and prints one line per connect and per step on stdout.
 *
 * <pre>
 * flap host,host... first step...
 *                             waits until rule 'corp' uses interface {@code first}, then connects to each host (port 7000) every 200 ms on a thread of its own while the steps
 *                             run; a step is {@code <interface>=<shell command>}: between two rounds of connects it
 *                             runs the command, waits (at most 30 s) until ifpin's MBean says rule 'corp' uses that
 *                             interface, then lets {@value #ROUNDS} rounds of connects happen.
 *                             ROUND n host=local|failed: message ...;  STEP exit=N in-use=... cmd
 * wait host delayMs cmd       connects once to host:7000 (one rule waits for an interface), while a thread runs cmd
 *                             after delayMs; CONNECT ok local=... | CONNECT failed message
 * vwait host n delayMs cmd     n virtual threads connect at once (the rule waits for an interface) while a thread
 *                             runs cmd after delayMs, and one more virtual thread ticks every 20 ms; run it with one
 *                             carrier thread. A JFR recording of jdk.VirtualThreadPinned runs all along.
 *                             CONNECTS ok=N failed=M local=[...]; TICKS while-waiting=N; PINNED all=N in-ifpin=M
 * </pre>
 */
public final class LinkLifecycleApp {
    private static final int ROUNDS = 3;
    private static final ObjectName RULES = name("ifpin:type=Rules");

    private final Object lock = new Object();
    private int rounds;
    private boolean paused;
    private boolean inRound;
    private volatile boolean stop;

    private LinkLifecycleApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("flap")) {
            new LinkLifecycleApp().flap(List.of(args[1].split(",")), args[2], List.of(args).subList(3, args.length));
        } else if (args[0].equals("wait")) {
            waitFor(args[1], Long.parseLong(args[2]), args[3]);
        } else {
            virtualWait(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), args[4]);
        }
    }

    private void flap(List<String> hosts, String first, List<String> steps) throws Exception {
        awaitMBean();
        awaitInUse(first); // the link monitor's first look at the links
        Thread connector = new Thread(() -> connectEvery200Ms(hosts), "connector");
        connector.start();
        awaitRounds(ROUNDS);
        for (String step : steps) {
            int split = step.indexOf('=');
            String expected = step.substring(0, split);
            synchronized (lock) {
                paused = true; // between two rounds: the connector waits until the step is done
                while (inRound) {
                    lock.wait();
                }
            }
            int exit = run(step.substring(split + 1));
            String inUse = awaitInUse(expected);
            print("STEP exit=" + exit + " in-use=" + inUse + " " + expected);
            synchronized (lock) {
                paused = false;
                lock.notifyAll();
            }
            awaitRounds(ROUNDS);
        }
        stop = true;
        connector.join(30_000);
    }

    private void connectEvery200Ms(List<String> hosts) {
        for (int round = 1; !stop && round < 1000; round++) {
            synchronized (lock) {
                while (paused) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                inRound = true;
            }
            StringBuilder line = new StringBuilder("ROUND " + round);
            for (String host : hosts) {
                line.append(' ').append(host).append('=').append(connect(host));
            }
            print(line.toString());
            synchronized (lock) {
                rounds++;
                inRound = false;
                lock.notifyAll();
            }
            sleep(200);
        }
    }

    private void awaitRounds(int more) throws InterruptedException {
        synchronized (lock) {
            int until = rounds + more;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rounds < until && System.nanoTime() < deadline) {
                lock.wait(1000);
            }
        }
    }

    private static String connect(String host) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, 7000), 5_000);
            return socket.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            return "failed:" + e.getMessage();
        }
    }

    private static void waitFor(String host, long delayMillis, String command) throws Exception {
        Thread later = new Thread(() -> {
            sleep(delayMillis);
            run(command);
        }, "link-later");
        later.start();
        String result = connect(host);
        print(result.startsWith("failed:") ? "CONNECT " + result : "CONNECT ok local=" + result);
        later.join(30_000);
    }

    /**
     * If a waiting connect held its carrier, the ticker (a virtual thread on the same single carrier) could not tick
     * until the link came up.
     */
    private static void virtualWait(String host, int n, long delayMillis, String command) throws Exception {
        Path jfr = Files.createTempFile("ifpin-vwait", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();
            ExecutorService executor = (ExecutorService) Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            AtomicBoolean linkAdded = new AtomicBoolean();
            AtomicInteger ticksWhileWaiting = new AtomicInteger();
            List<Future<String>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connects.add(executor.submit(() -> connect(host)));
            }
            Future<?> ticker = executor.submit(() -> {
                while (!linkAdded.get()) {
                    ticksWhileWaiting.incrementAndGet();
                    Thread.sleep(20);
                }
                return null;
            });
            Thread later = new Thread(() -> {
                sleep(delayMillis);
                run(command);
                linkAdded.set(true);
            }, "link-later");
            later.start();
            Set<String> locals = new TreeSet<>();
            int ok = 0;
            for (Future<String> connect : connects) {
                String result = connect.get(60, TimeUnit.SECONDS);
                ok += result.startsWith("failed:") ? 0 : 1;
                locals.add(result);
            }
            later.join(30_000);
            ticker.get(30, TimeUnit.SECONDS);
            executor.shutdown();
            recording.stop();
            recording.dump(jfr);
            print("CONNECTS ok=" + ok + " failed=" + (n - ok) + " local=" + locals);
            print("TICKS while-waiting=" + (ticksWhileWaiting.get() > 1 ? "some" : "none"));
            int all = 0;
            int inIfpin = 0;
            for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
                if (!event.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                    continue;
                }
                all++;
                boolean ours = false;
                if (event.getStackTrace() != null) {
                    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                        String type = frame.getMethod().getType().getName();
                        ours |= type.startsWith("io.ifpin.") && !type.startsWith("io.ifpin.it.");
                    }
                }
                inIfpin += ours ? 1 : 0;
            }
            print("PINNED all=" + all + " in-ifpin=" + inIfpin);
        } finally {
            Files.deleteIfExists(jfr);
        }
    }

    private static int run(String command) {
        try {
            Process process = new ProcessBuilder("sh", "-c", command).inheritIO().start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            print("RUN failed: " + e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** What the MBean says rule 'corp' uses, once it is {@code expected} (or after 30 s). */
    private static String awaitInUse(String expected) throws Exception {
        String interfaces = "";
        for (int i = 0; i < 600; i++) {
            interfaces = String.valueOf(ManagementFactory.getPlatformMBeanServer().getAttribute(RULES, "Interfaces"));
            if (interfaces.contains("corp: using " + expected + ",")) {
                return expected;
            }
            Thread.sleep(50);
        }
        return interfaces;
    }

    private static void awaitMBean() throws InterruptedException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 0; i < 400 && !server.isRegistered(RULES); i++) {
            Thread.sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
