package io.ifpin.it.apps;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only app for the virtual-thread test (JDK 21+; compiled for 17, so the virtual-thread executor is found by
 * reflection): N virtual threads released at once each connect to PeerServer's line port and report the peer the
 * server saw. A JFR recording of {@code jdk.VirtualThreadPinned} (threshold 0: every park while pinned) runs all
 * along; afterwards the app counts the events and those with an ifpin or JNA frame on the stack.
 *
 * <pre>
 * VirtualThreadsApp &lt;host&gt; &lt;threads&gt;
 * stdout: peer &lt;ip&gt; &lt;count&gt;     (one line per distinct peer address)
 *         errors &lt;count&gt; [first error]
 *         pinned-events &lt;all&gt; in-ifpin &lt;n&gt; [first such stack]
 *         elapsed-ms &lt;ms&gt;
 * </pre>
 */
public final class VirtualThreadsApp {

    private VirtualThreadsApp() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int threads = Integer.parseInt(args[1]);
        Path jfr = Files.createTempFile("ifpin-vthreads", ".jfr");
        Map<String, AtomicInteger> peers = new ConcurrentHashMap<>();
        AtomicInteger errors = new AtomicInteger();
        List<String> firstError = new ArrayList<>();
        long start;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();
            ExecutorService executor = (ExecutorService) Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(executor.submit(() -> {
                    go.await();
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(host, 7000), 30_000);
                        socket.setSoTimeout(30_000);
                        OutputStream out = socket.getOutputStream();
                        out.write("who am I?\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                StandardCharsets.US_ASCII)).readLine();
                        String[] parts = reply == null ? new String[0] : reply.split(" ");
                        peers.computeIfAbsent(parts.length == 3 ? parts[1] : "bad-reply:" + reply,
                                k -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception e) {
                        if (errors.incrementAndGet() == 1) {
                            synchronized (firstError) {
                                firstError.add(e.toString());
                            }
                        }
                    }
                    return null;
                }));
            }
            start = System.nanoTime();
            go.countDown();
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            executor.shutdown();
            recording.stop();
            recording.dump(jfr);
            new TreeMap<>(peers).forEach((ip, count) -> System.out.println("peer " + ip + " " + count));
            System.out.println("errors " + errors.get() + (firstError.isEmpty() ? "" : " " + firstError.get(0)));
            int all = 0;
            int inIfpin = 0;
            String firstStack = "";
            for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
                if (!event.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                    continue;
                }
                all++;
                StringBuilder stack = new StringBuilder();
                boolean ours = false;
                if (event.getStackTrace() != null) {
                    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                        String type = frame.getMethod().getType().getName();
                        // io.ifpin.it is this app; the agent's packages are the other io.ifpin ones.
                        ours |= (type.startsWith("io.ifpin.") && !type.startsWith("io.ifpin.it."))
                                || type.startsWith("com.sun.jna.");
                        stack.append(type).append('.').append(frame.getMethod().getName()).append(" < ");
                    }
                }
                if (ours && inIfpin++ == 0) {
                    firstStack = stack.toString();
                }
            }
            System.out.println("pinned-events " + all + " in-ifpin " + inIfpin + (firstStack.isEmpty() ? "" : " " + firstStack));
            System.out.println("elapsed-ms " + elapsed);
        } finally {
            Files.deleteIfExists(jfr);
        }
        System.exit(0);
    }
}
