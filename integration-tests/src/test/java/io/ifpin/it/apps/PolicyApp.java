package io.ifpin.it.apps;

import io.ifpin.it.apps.other.OtherClient;
import io.ifpin.it.apps.vendor.LegacyClient;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM for PolicyIT: opens sockets and prints what happened, one line each, on stdout. Knows nothing of ifpin
 * except the MBean's name (any JMX client would).
 *
 * <pre>
 * probe tcp|udp|channel|async host port ...
 *                                    PROBE tcp host:port OK local=ip:port | REFUSED class: message
 *                                    (channel: SocketChannel, async: AsynchronousSocketChannel, its Future's cause)
 *                                    (tcp and udp: host may be name=literal, the literal carrying that name)
 * leak host port n                   n refused Socket connects; LEAK open-fds-before=A after=B
 * many count threads host:port ...   round-robin TCP connects from a pool; MANY ok=N refused=M
 * callers host port                  LegacyClient and OtherClient each connect; CALLER class local=ip:port
 * reload host port conf broken next  connect, copy broken over conf, wait for ReloadFailures=1, connect,
 *                                    copy next over conf, wait for Reloads=1, connect
 * </pre>
 * Every mode ends with {@code SNMP tcp-active-opens=N udp-out-datagrams=M} (the client namespace's counters since
 * the start: packets the kernel really sent) and, with {@code --mbean}, the {@code ifpin:type=Rules} table.
 */
public final class PolicyApp {
    private static final ObjectName RULES = name("ifpin:type=Rules");

    private PolicyApp() {
    }

    public static void main(String[] args) throws Exception {
        long[] before = snmp();
        List<String> rest = new ArrayList<>(List.of(args));
        boolean mbean = rest.remove("--mbean");
        switch (rest.get(0)) {
            case "probe" -> {
                for (int i = 1; i + 2 < rest.size(); i += 3) {
                    probe(rest.get(i), rest.get(i + 1), Integer.parseInt(rest.get(i + 2)));
                }
            }
            case "leak" -> leak(rest.get(1), Integer.parseInt(rest.get(2)), Integer.parseInt(rest.get(3)));
            case "many" -> many(Integer.parseInt(rest.get(1)), Integer.parseInt(rest.get(2)),
                    rest.subList(3, rest.size()));
            case "callers" -> {
                String host = rest.get(1);
                int port = Integer.parseInt(rest.get(2));
                print("CALLER " + LegacyClient.class.getName() + " " + LegacyClient.connect(host, port));
                print("CALLER " + OtherClient.class.getName() + " " + OtherClient.connect(host, port));
            }
            case "reload" -> reload(rest.get(1), Integer.parseInt(rest.get(2)), Path.of(rest.get(3)),
                    Path.of(rest.get(4)), Path.of(rest.get(5)));
            default -> throw new IllegalArgumentException("unknown mode " + rest.get(0));
        }
        long[] after = snmp();
        print("SNMP tcp-active-opens=" + (after[0] - before[0]) + " udp-out-datagrams=" + (after[1] - before[1]));
        if (mbean) {
            printMBean();
        }
    }

    private static void probe(String protocol, String host, int port) {
        String target = protocol + " " + host + ":" + port;
        try {
            if (protocol.equals("channel")) {
                try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
                    print("PROBE " + target + " OK local=" + channel.getLocalAddress());
                }
            } else if (protocol.equals("async")) {
                try (AsynchronousSocketChannel channel = AsynchronousSocketChannel.open()) {
                    try {
                        channel.connect(new InetSocketAddress(host, port)).get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        print("PROBE " + target + " REFUSED " + cause.getClass().getName() + ": " + cause.getMessage()
                                + " (future failed; channel open: " + channel.isOpen() + ")");
                        return;
                    }
                    print("PROBE " + target + " OK local=" + channel.getLocalAddress());
                }
            } else if (protocol.equals("tcp")) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address(host), port), 3000);
                    print("PROBE " + target + " OK local=" + endpoint(socket.getLocalAddress(), socket.getLocalPort()));
                }
            } else {
                try (DatagramSocket socket = new DatagramSocket()) {
                    byte[] payload = "probe".getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(payload, payload.length, address(host), port));
                    print("PROBE " + target + " OK local=" + endpoint(socket.getLocalAddress(), socket.getLocalPort()));
                }
            }
        } catch (IOException | RuntimeException | InterruptedException | TimeoutException e) {
            print("PROBE " + target + " REFUSED " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /**
     * {@code name=literal}: the address as if the application had looked {@code name} up (it carries the name, as a
     * resolved address does), without a resolver or /etc/hosts; a plain literal carries no name.
     */
    private static InetAddress address(String host) throws IOException {
        int equals = host.indexOf('=');
        if (equals < 0) {
            return InetAddress.getByName(host);
        }
        return InetAddress.getByAddress(host.substring(0, equals),
                InetAddress.getByName(host.substring(equals + 1)).getAddress());
    }

    /** A refused socket must be closed by the JDK like any failed connect: no descriptor may stay behind. */
    private static void leak(String host, int port, int count) throws IOException {
        refusedConnect(host, port); // warm-up: classes and files the first connect opens
        long before = openFds();
        for (int i = 0; i < count; i++) {
            refusedConnect(host, port);
        }
        print("LEAK open-fds-before=" + before + " after=" + openFds());
    }

    private static void refusedConnect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
        } catch (IOException expected) {
            // refused by ifpin
        }
    }

    private static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static void many(int count, int threads, List<String> targets) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String[] target = targets.get(i % targets.size()).split(":(?=[0-9]+$)");
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(target[0], Integer.parseInt(target[1])), 5000);
                        ok.incrementAndGet();
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        pool.shutdown();
        print("MANY ok=" + ok.get() + " refused=" + refused.get());
    }

    private static void reload(String host, int port, Path conf, Path broken, Path next) throws Exception {
        probe("tcp", host, port);
        Files.copy(broken, conf, StandardCopyOption.REPLACE_EXISTING);
        print("WAITED ReloadFailures=" + awaitAttribute("ReloadFailures", 1));
        probe("tcp", host, port);
        Files.copy(next, conf, StandardCopyOption.REPLACE_EXISTING);
        print("WAITED Reloads=" + awaitAttribute("Reloads", 1));
        probe("tcp", host, port);
    }

    /** Waits (at most 20 s) until the MBean's {@code attribute} is at least {@code wanted}; its last value. */
    static long awaitAttribute(String attribute, long wanted) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long deadline = System.nanoTime() + 20_000_000_000L;
        long value = -1;
        while (System.nanoTime() < deadline) {
            if (server.isRegistered(RULES)) {
                value = (Long) server.getAttribute(RULES, attribute);
                if (value >= wanted) {
                    return value;
                }
            }
            Thread.sleep(50);
        }
        return value;
    }

    private static void printMBean() throws Exception {
        awaitAttribute("Matched", 0);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        TabularData table = (TabularData) server.getAttribute(RULES, "Rules");
        for (Object row : table.values()) {
            CompositeData data = (CompositeData) row;
            print("MBEAN " + data.get("rule") + " matched=" + data.get("matched") + " pinned=" + data.get("pinned")
                    + " allowed=" + data.get("allowed") + " denied=" + data.get("denied") + " errors="
                    + data.get("errors") + " refused=" + data.get("refused"));
        }
        print("MBEAN-TOTAL matched=" + server.getAttribute(RULES, "Matched") + " audit-dropped="
                + server.getAttribute(RULES, "AuditDropped"));
    }

    /** Tcp ActiveOpens and Udp OutDatagrams of this network namespace (/proc/net/snmp is per namespace). */
    private static long[] snmp() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        return new long[] {value(lines, "Tcp:", "ActiveOpens"), value(lines, "Udp:", "OutDatagrams")};
    }

    private static long value(List<String> lines, String prefix, String column) {
        List<String> pair = lines.stream().filter(line -> line.startsWith(prefix)).toList();
        List<String> names = List.of(pair.get(0).split("\\s+"));
        String[] values = pair.get(1).split("\\s+");
        return Long.parseLong(values[names.indexOf(column)]);
    }

    static String endpoint(InetAddress address, int port) {
        String ip = address.getHostAddress();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
