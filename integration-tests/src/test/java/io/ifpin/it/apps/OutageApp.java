package io.ifpin.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for OutagesIT: runs its arguments as steps, in order, and prints one line per step on stdout. It runs
 * in the lab's client namespace as root, so its {@code run} steps change that namespace's links while it connects.
 *
 * <pre>
 * connect host port n   n TCP connects, each on a new socket; CONNECT ok=N failed=M local=[source addresses]
 * run cmd arg ...       runs a command (one argument, words split at spaces) and waits; RUN exit=N cmd
 * row rule              that rule's row of the ifpin:type=Rules table; ROW rule outages=N outageFailures=M ...
 * </pre>
 */
public final class OutageApp {
    private static final ObjectName RULES = name("ifpin:type=Rules");

    private OutageApp() {
    }

    public static void main(String[] args) throws Exception {
        awaitMBean();
        for (String step : args) {
            List<String> words = List.of(step.split(" "));
            switch (words.get(0)) {
                case "connect" -> connect(words.get(1), Integer.parseInt(words.get(2)), Integer.parseInt(words.get(3)));
                case "run" -> run(words.subList(1, words.size()));
                case "row" -> row(words.get(1));
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
