package io.ifpin.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the fault tests (OutagesIT, AuditFaultsIT): runs its arguments as steps, in order, and prints one
 * line per step on stdout. Run in a lab's client namespace as root, its {@code run} steps change that namespace's
 * links while it connects; run with an audit log on a small file system, they fill and free it.
 *
 * <pre>
 * connect host port n   n TCP connects, each on a new socket; CONNECT ok=N failed=M local=[source addresses]
 * run cmd arg ...       runs a command (one argument, words split at spaces) and waits; RUN exit=N cmd
 * row rule              that rule's row of the ifpin:type=Rules table; ROW rule outages=N outageFailures=M ...
 * await attr empty|set  waits (at most 30 s) until that String attribute of ifpin:type=Rules is empty, or not;
 *                       AWAITED attr=value
 * atleast attr n        waits (at most 30 s) until that Long attribute is n or more; ATLEAST attr=value
 * print attr            PRINT attr=value
 * lines file n          waits (at most 30 s) until the file has n lines or more; LINES file=N
 * </pre>
 */
public final class FaultStepsApp {
    private static final ObjectName RULES = name("ifpin:type=Rules");

    private FaultStepsApp() {
    }

    public static void main(String[] args) throws Exception {
        awaitMBean();
        for (String step : args) {
            List<String> words = List.of(step.split(" "));
            switch (words.get(0)) {
                case "connect" -> connect(words.get(1), Integer.parseInt(words.get(2)), Integer.parseInt(words.get(3)));
                case "run" -> run(words.subList(1, words.size()));
                case "row" -> row(words.get(1));
                case "await" -> await(words.get(1), words.get(2).equals("empty"));
                case "lines" -> lines(Path.of(words.get(1)), Integer.parseInt(words.get(2)));
                case "atleast" -> atLeast(words.get(1), Long.parseLong(words.get(2)));
                case "print" -> print("PRINT " + words.get(1) + "=" + attribute(words.get(1)));
                default -> throw new IllegalArgumentException("unknown step: " + step);
            }
        }
    }

    private static void connect(String host, int port, int n) {
        int ok = 0;
        int failed = 0;
        Set<String> locals = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 5_000);
                locals.add(socket.getLocalAddress().getHostAddress());
                ok++;
            } catch (IOException e) {
                failed++;
                locals.add("failed: " + e.getMessage());
            }
        }
        print("CONNECT ok=" + ok + " failed=" + failed + " local=" + locals);
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            print("RUN timed out: " + String.join(" ", command));
            return;
        }
        print("RUN exit=" + process.exitValue() + " " + String.join(" ", command));
    }

    private static void row(String rule) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CompositeData row = ((TabularData) server.getAttribute(RULES, "Rules")).get(new Object[] {rule});
        print("ROW " + rule + " outages=" + row.get("outages") + " outageFailures=" + row.get("outageFailures")
                + " errors=" + row.get("errors") + " outageSince=" + row.get("outageSince") + " lastOutageEnded="
                + row.get("lastOutageEnded") + " OpenOutages=" + server.getAttribute(RULES, "OpenOutages"));
    }

    private static void await(String attribute, boolean empty) throws Exception {
        Object value = attribute(attribute);
        for (int i = 0; i < 600 && String.valueOf(value).isEmpty() != empty; i++) {
            Thread.sleep(50);
            value = attribute(attribute);
        }
        print("AWAITED " + attribute + "=" + value);
    }

    private static void lines(Path file, int wanted) throws Exception {
        long count = count(file);
        for (int i = 0; i < 600 && count < wanted; i++) {
            Thread.sleep(50);
            count = count(file);
        }
        print("LINES " + file + "=" + count);
    }

    private static long count(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.count();
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    private static void atLeast(String attribute, long wanted) throws Exception {
        long value = (Long) attribute(attribute);
        for (int i = 0; i < 600 && value < wanted; i++) {
            Thread.sleep(50);
            value = (Long) attribute(attribute);
        }
        print("ATLEAST " + attribute + "=" + value);
    }

    private static Object attribute(String attribute) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().getAttribute(RULES, attribute);
    }

    /** The agent registers its MBean on its own thread after startup; the steps read it. */
    private static void awaitMBean() throws InterruptedException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 0; i < 400 && !server.isRegistered(RULES); i++) {
            Thread.sleep(50);
        }
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
